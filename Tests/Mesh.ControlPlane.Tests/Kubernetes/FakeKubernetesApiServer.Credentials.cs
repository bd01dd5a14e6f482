using System.Globalization;
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

    /// <summary>Creates or replaces a Secret; watchers of its namespace see it.</summary>
    public void AddSecret(string ns, string name, IReadOnlyDictionary<string, byte[]> data, string type = "Opaque")
    {
        lock (_gate)
        {
            var existed = _secrets.ContainsKey($"{ns}/{name}");
            var secret = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["type"] = type,
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = ns,
                    ["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture),
                },
                ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)Convert.ToBase64String(d.Value)))),
            };
            _secrets[$"{ns}/{name}"] = secret;
            Record(SecretsOf(ns), existed ? "MODIFIED" : "ADDED", secret, notify: true);
        }
    }

    public void DeleteSecret(string ns, string name)
    {
        lock (_gate)
        {
            if (_secrets.Remove($"{ns}/{name}", out var secret))
            {
                secret["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                Record(SecretsOf(ns), "DELETED", secret, notify: true);
            }
        }
    }

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

    // Secrets are watched per namespace; their history shares the resource versions of everything else.
    private static string SecretsOf(string ns) => "secrets:" + ns;

    private async Task ListOrWatchSecretsAsync(HttpContext context, string ns)
    {
        if (context.Request.Query["watch"] is ["true" or "1"])
        {
            await WatchAsync(context, SecretsOf(ns), long.Parse(context.Request.Query["resourceVersion"].ToString(), CultureInfo.InvariantCulture));
            return;
        }

        JsonObject list;
        lock (_gate)
        {
            list = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "SecretList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. _secrets.Where(s => s.Key.StartsWith(ns + "/", StringComparison.Ordinal)).Select(s => (JsonNode)s.Value.DeepClone())]),
            };
        }

        await Results.Text(list.ToJsonString(), "application/json").ExecuteAsync(context);
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
