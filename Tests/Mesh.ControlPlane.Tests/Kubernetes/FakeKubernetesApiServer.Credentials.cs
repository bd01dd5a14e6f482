using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>The fake API server's TokenReview and Secrets endpoints.</summary>
public sealed partial class FakeKubernetesApiServer
{
    public void AddToken(string token, string username, string[] audiences, string? podName = null) =>
        _tokens[token] = new JsonObject
        {
            ["authenticated"] = true,
            ["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]),
            ["user"] = new JsonObject
            {
                ["username"] = username,
                ["extra"] = podName is null ? new JsonObject() : new JsonObject { ["authentication.kubernetes.io/pod-name"] = new JsonArray(podName) },
            },
        };

    public void AddSecret(string ns, string name, IReadOnlyDictionary<string, byte[]> data) =>
        _secrets[$"{ns}/{name}"] = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)Convert.ToBase64String(d.Value)))),
        };

    public IReadOnlyDictionary<string, byte[]>? Secret(string ns, string name) =>
        _secrets.TryGetValue($"{ns}/{name}", out var secret)
            ? secret["data"]!.AsObject().ToDictionary(d => d.Key, d => Convert.FromBase64String(d.Value!.GetValue<string>()))
            : null;

    private async Task ReviewTokenAsync(HttpContext context)
    {
        var review = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
        TokenReviews++;
        var token = review["spec"]?["token"]?.GetValue<string>() ?? "";
        var requested = (review["spec"]?["audiences"] as JsonArray)?.Select(a => a!.GetValue<string>()).ToList() ?? [];
        var status = _tokens.TryGetValue(token, out var known)
            && ((JsonArray)known["audiences"]!).Select(a => a!.GetValue<string>()).Intersect(requested).Any()
            ? new JsonObject
            {
                ["authenticated"] = true,
                ["audiences"] = new JsonArray([.. ((JsonArray)known["audiences"]!).Select(a => a!.GetValue<string>()).Intersect(requested).Select(a => (JsonNode)a)]),
                ["user"] = known["user"]!.DeepClone(),
            }
            : new JsonObject { ["authenticated"] = false, ["error"] = "invalid bearer token" };
        review["status"] = status;
        await Results.Text(review.ToJsonString(), "application/json").ExecuteAsync(context);
    }

    private IResult GetSecret(string ns, string name) =>
        _secrets.TryGetValue($"{ns}/{name}", out var secret)
            ? Results.Text(secret.ToJsonString(), "application/json")
            : Results.Text(NotFound($"secrets \"{name}\" not found").ToJsonString(), "application/json", statusCode: (int)HttpStatusCode.NotFound);

    private async Task<IResult> CreateSecretAsync(HttpContext context, string ns)
    {
        var secret = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
        var key = $"{ns}/{secret["metadata"]!["name"]!.GetValue<string>()}";
        if (!_secrets.TryAdd(key, secret))
        {
            return Results.Text(new JsonObject { ["kind"] = "Status", ["code"] = 409, ["reason"] = "AlreadyExists" }.ToJsonString(), "application/json", statusCode: 409);
        }

        return Results.Text(secret.ToJsonString(), "application/json", statusCode: 201);
    }

    private static JsonObject NotFound(string message) =>
        new() { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["reason"] = "NotFound", ["code"] = 404, ["message"] = message };
}
