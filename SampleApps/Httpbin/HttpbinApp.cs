// The part of httpbin (httpbin.org, Istio's samples/httpbin) that Istio's tasks use, answering as
// httpbin does: /headers, /ip, /get, /status/{code} and /anything. Header names are shown in
// httpbin's capitalisation (X-Ext-Authz-Check-Result), values of a repeated header joined by ",".
using System.Text.Json.Nodes;
using Mesh.ServiceDefaults;

namespace Samples.Httpbin;

internal static class HttpbinApp
{
    /// <summary>Istio's httpbin Service port.</summary>
    public const int DefaultPort = 8000;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMeshedServiceDefaults();
        builder.ListenOnDefaultsUnlessConfigured(kestrel => kestrel.ListenLocalhost(DefaultPort));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/headers", (HttpRequest request) => Json(new JsonObject { ["headers"] = Headers(request) }));
        app.MapGet("/ip", (HttpRequest request) => Json(new JsonObject { ["origin"] = Origin(request) }));
        app.MapGet("/get", (HttpRequest request) => Json(Echo(request)));
        app.Map("/anything/{**rest}", (HttpRequest request) => Json(Echo(request, withMethod: true)));
        app.Map("/status/{code}", (string code) =>
            int.TryParse(code, out var status) && status is >= 100 and <= 599 ? Results.StatusCode(status) : Results.BadRequest("Invalid status code\n"));
        return app;
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(Indented) + "\n", "application/json");

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static JsonObject Echo(HttpRequest request, bool withMethod = false)
    {
        var args = new JsonObject();
        foreach (var (name, values) in request.Query)
        {
            args[name] = values.Count == 1 ? values[0] : new JsonArray([.. values.Select(v => (JsonNode?)v)]);
        }

        var body = new JsonObject { ["args"] = args, ["headers"] = Headers(request), ["origin"] = Origin(request), ["url"] = $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}" };
        if (withMethod)
        {
            body["method"] = request.Method;
        }

        return body;
    }

    private static JsonObject Headers(HttpRequest request)
    {
        var headers = new JsonObject();
        foreach (var (name, values) in request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            headers[Capitalise(name)] = string.Join(',', values.ToArray());
        }

        return headers;
    }

    private static string Origin(HttpRequest request) => request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "";

    // httpbin shows header names as Go's canonical MIME form: each dash-separated word capitalised.
    private static string Capitalise(string name) =>
        string.Join('-', name.Split('-').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));
}
