// Swagger UI for the registry's OpenAPI document (served from this site, no CDN).
// Use "Authorize" with a token from `registry users token USERNAME` to try requests.
window.addEventListener("load", function () {
  var spec = document.currentScript ? document.currentScript.dataset.spec : null;
  spec = spec || document.querySelector("script[data-spec]").dataset.spec;
  window.ui = SwaggerUIBundle({ url: spec, dom_id: "#swagger-ui", deepLinking: true,
                                persistAuthorization: false });
});
