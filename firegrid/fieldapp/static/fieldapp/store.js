/* A small promise wrapper over IndexedDB: the field app's list, drafts and send queue live here,
   so they survive a reload, a closed browser and a dead battery. */
(function (global) {
  "use strict";
  var NAME = "firegrid-field";
  var VERSION = 1;
  var STORES = ["meta", "drafts", "queue"];
  var opening = null;

  function open() {
    if (opening) { return opening; }
    opening = new Promise(function (resolve, reject) {
      if (!global.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = global.indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        STORES.forEach(function (name) {
          if (!db.objectStoreNames.contains(name)) { db.createObjectStore(name, {keyPath: "id"}); }
        });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opening = null; reject(request.error); };
    });
    return opening;
  }

  function run(names, mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var result;
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
        result = body(tx);
      });
    });
  }

  global.FieldStore = {
    get: function (store, id) {
      return run([store], "readonly", function (tx) { return tx.objectStore(store).get(id); });
    },
    all: function (store) {
      return run([store], "readonly", function (tx) { return tx.objectStore(store).getAll(); });
    },
    put: function (store, value) {
      return run([store], "readwrite", function (tx) { tx.objectStore(store).put(value); });
    },
    remove: function (store, id) {
      return run([store], "readwrite", function (tx) { tx.objectStore(store)["delete"](id); });
    },
    /* move a record between stores in one transaction: never in both, never in neither */
    move: function (from, to, value) {
      return run([from, to], "readwrite", function (tx) {
        tx.objectStore(from)["delete"](value.id);
        tx.objectStore(to).put(value);
      });
    },
    /* replace one record by another (a new id) in one transaction */
    swap: function (store, oldId, value) {
      return run([store], "readwrite", function (tx) {
        tx.objectStore(store)["delete"](oldId);
        tx.objectStore(store).put(value);
      });
    }
  };
})(self);
