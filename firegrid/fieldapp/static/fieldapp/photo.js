/* Photos on the phone: shrink them with a canvas before they are stored or sent (a 6 MB camera
   photo becomes ~300 KB), and read the GPS position from a JPEG's EXIF to pre-fill a location.
   Used by the field app and by the hazard report forms. */
(function (global) {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.82;
  var KEEP_BYTES = 1024 * 1024;

  function decode(file) {
    if (global.createImageBitmap) {
      return global.createImageBitmap(file, {imageOrientation: "from-image"}).catch(function () {
        return global.createImageBitmap(file);
      });
    }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }

  function draw(image, maxSide) {
    var scale = Math.min(1, maxSide / Math.max(image.width, image.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(image.width * scale));
    canvas.height = Math.max(1, Math.round(image.height * scale));
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff";  /* a transparent PNG becomes a white-backed JPEG, not a black one */
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    if (image.close) { image.close(); }
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) {
        if (blob) { resolve(blob); } else { reject(new Error("canvas")); }
      }, "image/jpeg", QUALITY);
    });
  }

  function resize(file, maxSide) {
    maxSide = maxSide || MAX_SIDE;
    return decode(file).then(function (image) { return draw(image, maxSide); });
  }

  /* For a form's file input: a File made smaller when that helps (larger than maxSide, or heavier
     than KEEP_BYTES), else the original. Read the EXIF GPS first: the canvas drops EXIF. */
  function shrink(file, maxSide) {
    maxSide = maxSide || MAX_SIDE;
    return decode(file).then(function (image) {
      var big = Math.max(image.width, image.height) > maxSide;
      if (!big && file.size <= KEEP_BYTES) {
        if (image.close) { image.close(); }
        return file;
      }
      return draw(image, maxSide).then(function (blob) {
        if (!big && blob.size >= file.size) { return file; }
        var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified || Date.now()});
      });
    });
  }

  /* EXIF GPS of a JPEG: {lat, lng} or null. Reads only the first 128 KB. */
  function exifGps(file) {
    return file.slice(0, 131072).arrayBuffer().then(function (buffer) {
      try { return parseGps(new DataView(buffer)); } catch (e) { return null; }
    }, function () { return null; });
  }

  function parseGps(view) {
    if (view.getUint16(0) !== 0xFFD8) { return null; }
    var offset = 2;
    while (offset + 4 < view.byteLength) {
      var marker = view.getUint16(offset);
      var size = view.getUint16(offset + 2);
      if (marker === 0xFFE1 && view.getUint32(offset + 4) === 0x45786966) { return tiff(view, offset + 10); }
      if ((marker & 0xFF00) !== 0xFF00) { return null; }
      offset += 2 + size;
    }
    return null;
  }

  function tiff(view, start) {
    var little = view.getUint16(start) === 0x4949;
    function u16(o) { return view.getUint16(start + o, little); }
    function u32(o) { return view.getUint32(start + o, little); }
    function entries(ifd) {
      var out = {};
      var count = u16(ifd);
      for (var i = 0; i < count; i++) {
        var e = ifd + 2 + i * 12;
        out[u16(e)] = {type: u16(e + 2), count: u32(e + 4), value: e + 8};
      }
      return out;
    }
    var ifd0 = entries(u32(4));
    if (!ifd0[0x8825]) { return null; }
    var gps = entries(u32(ifd0[0x8825].value));
    function ref(tag) { return gps[tag] ? String.fromCharCode(view.getUint8(start + gps[tag].value)) : ""; }
    function dms(tag) {
      if (!gps[tag] || gps[tag].count !== 3) { return null; }
      var at = u32(gps[tag].value);
      var total = 0;
      for (var i = 0; i < 3; i++) {
        var den = u32(at + i * 8 + 4);
        if (!den) { return null; }
        total += u32(at + i * 8) / den / Math.pow(60, i);
      }
      return total;
    }
    var lat = dms(2);
    var lng = dms(4);
    if (lat === null || lng === null) { return null; }
    if (ref(1) === "S") { lat = -lat; }
    if (ref(3) === "W") { lng = -lng; }
    if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) { return null; }
    return {lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6};
  }

  global.FieldPhoto = {resize: resize, shrink: shrink, exifGps: exifGps, MAX_SIDE: MAX_SIDE};
})(self);
