using System.Text.Json.Nodes;

namespace Mesh.Hosting.Dashboard;

/// <summary>
/// The Istio objects the dashboard commands apply, as JSON documents (YAML's subset; the control
/// plane stores them as canonical YAML). Each carries <see cref="AppliedByAnnotation"/>, so a reset
/// removes what the dashboard applied and nothing a user applied.
/// </summary>
internal static class DashboardConfig
{
    public const string AppliedByAnnotation = "mesh.dev/applied-by";
    public const string AppliedByValue = "aspire-dashboard";

    public static bool IsAppliedByDashboard(JsonObject? configObject) =>
        configObject?["metadata"]?["annotations"]?[AppliedByAnnotation].Text() == AppliedByValue;

    public static JsonObject Metadata(string name, string @namespace) => new()
    {
        ["name"] = name,
        ["namespace"] = @namespace,
        ["annotations"] = new JsonObject { [AppliedByAnnotation] = AppliedByValue },
    };

    /// <summary>One HTTP route for the whole service: the given destinations (subset, weight), and a fault when given.</summary>
    public static JsonObject VirtualService(string service, string @namespace, IReadOnlyList<(string? Subset, int? Weight)> routes, JsonNode? fault)
    {
        var destinations = new JsonArray();
        foreach (var (subset, weight) in routes)
        {
            var destination = new JsonObject { ["host"] = service };
            if (subset is not null)
            {
                destination["subset"] = subset;
            }

            var route = new JsonObject { ["destination"] = destination };
            if (weight is not null && routes.Count > 1)
            {
                route["weight"] = weight;
            }

            destinations.Add(route);
        }

        var http = new JsonObject { ["route"] = destinations };
        if (fault is not null)
        {
            http["fault"] = fault.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = "networking.istio.io/v1",
            ["kind"] = "VirtualService",
            ["metadata"] = Metadata(service, @namespace),
            ["spec"] = new JsonObject { ["hosts"] = new JsonArray(service), ["http"] = new JsonArray(http) },
        };
    }

    /// <summary>A subset per version, selected by Istio's <c>version</c> label.</summary>
    public static JsonObject DestinationRule(string service, string @namespace, IEnumerable<string> versions) => new()
    {
        ["apiVersion"] = "networking.istio.io/v1",
        ["kind"] = "DestinationRule",
        ["metadata"] = Metadata(service, @namespace),
        ["spec"] = new JsonObject
        {
            ["host"] = service,
            ["subsets"] = new JsonArray([.. versions.Select(v => (JsonNode)new JsonObject
            {
                ["name"] = v,
                ["labels"] = new JsonObject { ["version"] = v },
            })]),
        },
    };

    /// <summary>mTLS for the workloads of a service (selector app), or namespace/mesh-wide without one.</summary>
    public static JsonObject PeerAuthentication(string name, string @namespace, string? app, string mode)
    {
        var spec = new JsonObject();
        if (app is not null)
        {
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } };
        }

        spec["mtls"] = new JsonObject { ["mode"] = mode };
        return new JsonObject
        {
            ["apiVersion"] = "security.istio.io/v1",
            ["kind"] = "PeerAuthentication",
            ["metadata"] = Metadata(name, @namespace),
            ["spec"] = spec,
        };
    }

    /// <summary>Istio's HTTPFaultInjection: a fixed delay or an HTTP abort for a percentage of requests.</summary>
    public static JsonObject Fault(string kind, double percentage, int delaySeconds, int abortStatus) => kind switch
    {
        "delay" => new JsonObject
        {
            ["delay"] = new JsonObject { ["fixedDelay"] = $"{delaySeconds}s", ["percentage"] = new JsonObject { ["value"] = percentage } },
        },
        "abort" => new JsonObject
        {
            ["abort"] = new JsonObject { ["httpStatus"] = abortStatus, ["percentage"] = new JsonObject { ["value"] = percentage } },
        },
        _ => throw new ArgumentException($"unknown fault '{kind}' (delay or abort)", nameof(kind)),
    };
}
