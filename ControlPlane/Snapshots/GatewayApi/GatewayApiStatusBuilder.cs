using System.Text.Json.Nodes;
using Mesh.Config.Model;
using Mesh.ControlPlane.Registry;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The status the spec asks for, per Gateway API object of the mesh's controller: GatewayClass
/// <c>Accepted</c>; Gateway <c>Accepted</c>, <c>Programmed</c> (a proxy serving it is connected),
/// <c>ResolvedRefs</c>, <c>addresses</c> and per listener <c>Accepted</c>, <c>Programmed</c>,
/// <c>Conflicted</c>, <c>ResolvedRefs</c>, <c>supportedKinds</c>, <c>attachedRoutes</c>; routes per
/// parent <c>Accepted</c>, <c>ResolvedRefs</c> and, when rules were dropped, <c>PartiallyInvalid</c>.
/// Objects the mesh's controller does not own (another class, a parent it cannot see) get none.
/// </summary>
internal sealed class GatewayApiStatusBuilder(GatewayApiGraph graph, MeshModel model, RegistrySnapshot registry, IGatewayAddresses addresses, GatewayApiConditionStamp stamp)
{
    /// <summary>Status by object key (<see cref="ConfigObject.Key"/>).</summary>
    public IReadOnlyDictionary<string, JsonObject> Build()
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var gatewayClass in model.GatewayClasses.Where(c => c.Spec.ControllerName == GatewayApiNames.ControllerName))
        {
            result[gatewayClass.Object.Key] = new JsonObject
            {
                ["conditions"] = Conditions(gatewayClass.Object, "", [GatewayApiCondition.True("Accepted", "Accepted", "Handled by the mesh's gateway controller")]),
            };
        }

        foreach (var gateway in graph.Gateways)
        {
            result[gateway.Gateway.Object.Key] = Gateway(gateway);
        }

        foreach (var route in graph.Routes.Where(r => r.Parents.Count > 0))
        {
            result[route.Object.Key] = new JsonObject { ["parents"] = new JsonArray([.. route.Parents.Select(p => (JsonNode)Parent(route, p))]) };
        }

        return result;
    }

    private JsonObject Gateway(ResolvedGateway gateway)
    {
        var configObject = gateway.Gateway.Object;
        var listenerProblems = addresses.ListenerProblemsOf(gateway.Gateway.Namespace, gateway.Gateway.Name);
        var valid = gateway.Listeners.Count(l => l.Programmable && !listenerProblems.ContainsKey(l.Name));
        var accepted = gateway.Refused is { } refused ? GatewayApiCondition.False("Accepted", refused.Reason, refused.Message)
            : valid == gateway.Listeners.Count ? GatewayApiCondition.True("Accepted", "Accepted", "Resource accepted")
            : valid > 0 ? GatewayApiCondition.True("Accepted", "ListenersNotValid", "One or more of the Gateway's listeners are invalid")
            : GatewayApiCondition.False("Accepted", "ListenersNotValid", "None of the Gateway's listeners are valid");
        var proxies = Proxies(gateway);
        var reachable = addresses.AddressesOf(gateway.Gateway.Namespace, gateway.Gateway.Name);
        var programmed = gateway.Refused is not null || valid == 0 ? GatewayApiCondition.False("Programmed", "Invalid", "The Gateway has nothing the mesh can serve")
            : proxies.Count == 0 ? GatewayApiCondition.False("Programmed", "Pending", $"No proxy serves the Gateway yet (waiting for {GatewayApiNames.DeploymentName(gateway.Gateway.Name, gateway.ClassName)} to connect)")
            : GatewayApiCondition.True("Programmed", "Programmed", $"Resource programmed, served by {string.Join(", ", proxies)}");
        var status = new JsonObject
        {
            ["conditions"] = Conditions(configObject, "", [accepted, programmed, GatewayApiCondition.True("ResolvedRefs", "ResolvedRefs", "All references resolved")]),
            ["listeners"] = new JsonArray([.. gateway.Listeners.Select(l => (JsonNode)Listener(configObject, l, listenerProblems.GetValueOrDefault(l.Name), proxies.Count > 0))]),
        };
        if (reachable.Count > 0 && proxies.Count > 0)
        {
            status["addresses"] = new JsonArray([.. reachable.Select(a => (JsonNode)new JsonObject { ["type"] = a.Type, ["value"] = a.Value })]);
        }

        return status;
    }

    private JsonObject Listener(ConfigObject gateway, ResolvedListener listener, GatewayApiProblem? provisioning, bool served)
    {
        var conditions = new List<GatewayApiCondition>();
        if (listener.Conflict is { } conflict)
        {
            conditions.Add(GatewayApiCondition.False("Accepted", conflict.Reason, conflict.Message));
            conditions.Add(GatewayApiCondition.False("Programmed", conflict.Reason, conflict.Message));
            conditions.Add(GatewayApiCondition.True("Conflicted", conflict.Reason, conflict.Message));
        }
        else
        {
            var notAccepted = listener.NotAccepted ?? provisioning;
            conditions.Add(notAccepted is null ? GatewayApiCondition.True("Accepted", "Accepted", "No errors found") : GatewayApiCondition.False("Accepted", notAccepted.Reason, notAccepted.Message));
            conditions.Add(notAccepted is not null || listener.UnresolvedRefs is not null ? GatewayApiCondition.False("Programmed", "Invalid", (notAccepted ?? listener.UnresolvedRefs)!.Message)
                : served ? GatewayApiCondition.True("Programmed", "Programmed", "No errors found")
                : GatewayApiCondition.False("Programmed", "Pending", "No proxy serves the listener yet"));
            conditions.Add(GatewayApiCondition.False("Conflicted", "NoConflicts", "No errors found"));
        }

        conditions.Add(listener.UnresolvedRefs is { } unresolved ? GatewayApiCondition.False("ResolvedRefs", unresolved.Reason, unresolved.Message) : GatewayApiCondition.True("ResolvedRefs", "ResolvedRefs", "No errors found"));
        return new JsonObject
        {
            ["name"] = listener.Name,
            ["supportedKinds"] = new JsonArray([.. listener.SupportedKinds.Select(k => (JsonNode)new JsonObject { ["group"] = k.Group, ["kind"] = k.Kind })]),
            ["attachedRoutes"] = graph.AttachedTo(listener).Count(),
            ["conditions"] = Conditions(gateway, $"listeners/{listener.Name}", conditions),
        };
    }

    private JsonObject Parent(ResolvedRoute route, RouteParentResult parent)
    {
        var conversion = parent.IsMesh ? route.MeshRoutes : route.GatewayRoutes;
        var conditions = new List<GatewayApiCondition>();
        if (parent.Denied is { } denied)
        {
            conditions.Add(GatewayApiCondition.False("Accepted", denied.Reason, denied.Message));
        }
        else if (conversion is { AllRulesDropped: true })
        {
            conditions.Add(GatewayApiCondition.False("Accepted", "UnsupportedValue", string.Join("; ", conversion.DroppedRules)));
        }
        else
        {
            conditions.Add(GatewayApiCondition.True("Accepted", "Accepted", parent.Listeners.Count > 1 ? $"Route was valid, bound to {parent.Listeners.Count} parents" : "Route was valid"));
            if (conversion is { DroppedRules.Count: > 0 })
            {
                conditions.Add(GatewayApiCondition.True("PartiallyInvalid", "UnsupportedValue", string.Join("; ", conversion.DroppedRules)));
            }
        }

        conditions.Add(conversion?.UnresolvedRefs is { } unresolved
            ? GatewayApiCondition.False("ResolvedRefs", unresolved.Reason, unresolved.Message)
            : GatewayApiCondition.True("ResolvedRefs", "ResolvedRefs", "All references resolved"));
        var reference = parent.Reference;
        var parentRef = new JsonObject
        {
            ["group"] = reference.Group ?? GatewayApiNames.Group,
            ["kind"] = reference.Kind ?? "Gateway",
            ["name"] = reference.Name,
        };
        if (reference.Namespace is not null)
        {
            parentRef["namespace"] = reference.Namespace;
        }

        if (reference.SectionName is not null)
        {
            parentRef["sectionName"] = reference.SectionName;
        }

        if (reference.Port is not null)
        {
            parentRef["port"] = reference.Port;
        }

        return new JsonObject
        {
            ["parentRef"] = parentRef,
            ["controllerName"] = GatewayApiNames.ControllerName,
            ["conditions"] = Conditions(route.Object, ParentKey(parent), conditions),
        };
    }

    private static string ParentKey(RouteParentResult parent) =>
        $"parents/{parent.Reference.Kind}/{parent.Reference.Namespace}/{parent.Reference.Name}/{parent.Reference.SectionName}/{parent.Reference.Port}";

    // The ids of the connected proxies that serve a Gateway (its gateway-name label, its namespace).
    private List<string> Proxies(ResolvedGateway gateway) =>
        [.. registry.Workloads.Select(w => w.Node)
            .Where(n => n.Mode == Wire.ProxyMode.Gateway && n.Namespace == gateway.Gateway.Namespace
                && n.Labels.TryGetValue(GatewayApiNames.GatewayNameLabel, out var name) && name == gateway.Gateway.Name)
            .Select(n => n.Id)
            .Order(StringComparer.Ordinal)];

    private JsonArray Conditions(ConfigObject configObject, string scope, IEnumerable<GatewayApiCondition> conditions) =>
        new([.. conditions.Select(c => (JsonNode)new JsonObject
        {
            ["type"] = c.Type,
            ["status"] = c.Status ? "True" : "False",
            ["observedGeneration"] = stamp.GenerationOf(configObject),
            ["lastTransitionTime"] = stamp.Since(configObject.Key, scope, c).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["reason"] = c.Reason,
            ["message"] = c.Message,
        })]);
}
