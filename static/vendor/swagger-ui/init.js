// Swagger UI for tillpoint's API, served from the binary (no CDN). "Authorize" takes the
// header value: `Token <key>` from POST /api/auth/login/.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/schema/",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
  });
});
