// "Export in the background" beside a filter form that downloads with GET (data-export-from="<form id>"):
// on submit, the filter form's current fields become the export's query string.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.exportFrom) return;
  const source = document.getElementById(form.dataset.exportFrom);
  const field = form.querySelector("input[name=query]");
  if (!source || !field) return;
  const query = new URLSearchParams();
  for (const [key, value] of new FormData(source)) {
    if (typeof value === "string" && value !== "") query.append(key, value);
  }
  field.value = query.toString();
});
