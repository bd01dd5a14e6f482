using System.Text.Json.Nodes;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Discovery;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// <c>POST /api/v1/explain</c> (<c>meshctl explain</c>; the console's <c>POST /console/api/explain</c>): what the mesh does with a
/// request, hop by hop, answered by the proxies themselves. The source workload's proxy explains the
/// outbound half on its snapshot (routing, weighted pick, policies, upstream TLS, endpoints); then the
/// proxy of each destination workload it may reach explains the inbound half (its mTLS mode against
/// how the source dials it, JWT, authorization). Body:
/// <c>{"from":"productpage","method":"GET","url":"http://reviews:9080/reviews/0","headers":[{"name":"end-user","value":"jason"}]}</c>.
/// </summary>
internal static class ExplainEndpoints
{
    public static IEndpointRouteBuilder MapExplainEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/explain", ExplainAsync);
        return endpoints;
    }

    internal static async Task<IResult> ExplainAsync(HttpRequest request, ConnectedProxies connected, ProxyExplainClient client, IOptions<ControlPlaneOptions> options, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return ConfigEndpoints.Message(StatusCodes.Status415UnsupportedMediaType, "send the request to explain as application/json");
        }

        JsonObject? body;
        try
        {
            body = await request.ReadFromJsonAsync(AdminJson.Context.JsonNode, cancellationToken) as JsonObject;
        }
        catch (System.Text.Json.JsonException ex)
        {
            return ConfigEndpoints.Message(StatusCodes.Status400BadRequest, $"the body is not JSON: {ex.Message}");
        }

        if (body?["from"] is not JsonValue fromValue || !fromValue.TryGetValue<string>(out var from) || from.Length == 0)
        {
            return ConfigEndpoints.Message(StatusCodes.Status400BadRequest, "from: required (the source workload, its app label or a proxy id)");
        }

        if (body["url"] is not JsonValue urlValue || !urlValue.TryGetValue<string>(out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return ConfigEndpoints.Message(StatusCodes.Status400BadRequest, "url: required, an absolute URL such as http://reviews:9080/reviews/0");
        }

        if (FindSource(connected, from) is not { } source)
        {
            return ConfigEndpoints.Message(StatusCodes.Status404NotFound, $"no connected proxy is workload, app or proxy '{from}'");
        }

        var method = body["method"]?.GetValue<string>() ?? "GET";
        var headers = body["headers"]?.DeepClone() ?? new JsonArray();
        var outboundRequest = new JsonObject { ["method"] = method, ["url"] = url, ["headers"] = headers, ["direction"] = "outbound" };
        var (outbound, status, error) = await client.ExplainAsync(source.Node, outboundRequest, cancellationToken);
        if (outbound is null)
        {
            return ConfigEndpoints.Message(status, error!);
        }

        var principal = $"{options.Value.TrustDomain}/ns/{source.Node.Namespace}/sa/{source.Node.ServiceAccount}";
        var hops = new JsonArray();
        if (outbound["outcome"]?["forwarded"]?.GetValue<bool>() == true)
        {
            foreach (var endpoint in DestinationEndpoints(outbound))
            {
                hops.Add(await InboundHopAsync(connected, client, endpoint, method, uri, headers, principal, cancellationToken));
            }
        }

        var answer = new JsonObject
        {
            ["from"] = new JsonObject
            {
                ["proxy"] = source.Id,
                ["workload"] = source.Node.Workload,
                ["namespace"] = source.Node.Namespace,
                ["principal"] = principal,
            },
            ["request"] = new JsonObject { ["method"] = method, ["url"] = url, ["headers"] = headers.DeepClone() },
            ["outbound"] = outbound,
            ["inbound"] = hops,
        };
        return Results.Json(answer, AdminJson.Context.JsonNode);
    }

    /// <summary>One endpoint per destination workload the request may reach (an eligible one first), from the outbound explanation.</summary>
    private static IEnumerable<JsonObject> DestinationEndpoints(JsonObject outbound)
    {
        var endpoints = (outbound["steps"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(s => s["stage"]?.GetValue<string>() == "LoadBalancing")
            .SelectMany(s => (s["items"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(i => i["fields"]?["workload"] is not null);
        return endpoints
            .GroupBy(i => (Cluster: i["fields"]!["cluster"]?.GetValue<string>(), Workload: i["fields"]!["workload"]!.GetValue<string>()))
            .Select(g => g.OrderBy(i => i["verdict"]?.GetValue<string>() == "eligible" ? 0 : 1).First());
    }

    private static async Task<JsonObject> InboundHopAsync(ConnectedProxies connected, ProxyExplainClient client, JsonObject endpoint, string method, Uri uri, JsonNode headers, string principal, CancellationToken cancellationToken)
    {
        var fields = endpoint["fields"]!;
        var cluster = fields["cluster"]?.GetValue<string>() ?? "";
        var mtls = fields["scheme"]?.GetValue<string>() == "https";
        var hop = new JsonObject
        {
            ["workload"] = fields["workload"]?.GetValue<string>(),
            ["proxy"] = fields["proxy"]?.GetValue<string>(),
            ["cluster"] = cluster,
            ["endpoint"] = endpoint["name"]?.GetValue<string>(),
            ["endpoint_verdict"] = endpoint["verdict"]?.GetValue<string>(),
            ["mtls"] = mtls ? "ISTIO_MUTUAL" : "plaintext",
        };
        if (fields["proxy"]?.GetValue<string>() is not { Length: > 0 } proxyId || connected.Find(proxyId) is not { } destination)
        {
            hop["error"] = "the destination's proxy is not connected to this control plane: its inbound half cannot be explained";
            return hop;
        }

        // The inbound listener is found by the service port, the cluster's (outbound|<port>|<subset>|<host>).
        var parts = cluster.Split('|');
        var port = parts.Length == 4 && int.TryParse(parts[1], out var servicePort) ? servicePort : uri.Port;
        var inboundUrl = new UriBuilder(uri) { Port = port }.Uri.ToString();
        var inboundRequest = new JsonObject
        {
            ["method"] = method,
            ["url"] = inboundUrl,
            ["headers"] = headers.DeepClone(),
            ["direction"] = "inbound",
        };
        if (mtls)
        {
            inboundRequest["source_principal"] = principal;
        }

        var (inbound, _, error) = await client.ExplainAsync(destination.Node, inboundRequest, cancellationToken);
        if (inbound is null)
        {
            hop["error"] = error;
        }
        else
        {
            hop["explanation"] = inbound;
        }

        return hop;
    }

    private static ProxyConnection? FindSource(ConnectedProxies connected, string from)
    {
        if (connected.Find(from) is { } byId)
        {
            return byId;
        }

        var all = connected.All.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        return all.FirstOrDefault(c => c.Node.Workload == from)
            ?? all.FirstOrDefault(c => c.Node.Labels.TryGetValue("app", out var app) && app == from);
    }
}
