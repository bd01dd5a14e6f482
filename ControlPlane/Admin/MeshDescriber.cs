using System.Text.Json.Nodes;
using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;
using Node = Mesh.Contracts.Snapshots.Node;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// <c>meshctl describe</c> (Istio's <c>istioctl x describe</c>), computed from the control plane's
/// accepted model and its registry: the VirtualServices, DestinationRules, policies and Gateways that
/// affect a workload or a service, with warnings — a subset no endpoint carries, a route an earlier
/// one shadows, a destination subset no DestinationRule defines, a policy that selects nothing, an
/// endpoint that proxies on another network cannot reach (<see cref="DescribeNetworks"/>).
/// </summary>
internal sealed class MeshDescriber(SnapshotInputs inputs)
{
    private readonly MeshModel _model = inputs.Model;
    private readonly MeshSettings _settings = inputs.Settings;
    private readonly List<Node> _workloads = [.. inputs.Registry.Workloads.Select(w => w.Node)];
    private readonly List<string> _warnings = [];

    /// <summary>The description, or null when <paramref name="name"/> is neither a registered workload, an app, nor a service.</summary>
    public JsonObject? Describe(string name, string? requestedNamespace)
    {
        var inNamespace = _workloads.Where(w => requestedNamespace is null || w.Namespace == requestedNamespace).ToList();
        var selected = inNamespace.Where(w => w.Workload == name || w.Id == name || (w.Labels.TryGetValue("app", out var app) && app == name)).ToList();
        var services = selected.SelectMany(w => w.Services.Select(s => s.Name)).Distinct(StringComparer.Ordinal).ToList();
        if (selected.Count == 0)
        {
            // A service name: its endpoints' _workloads.
            selected = [.. inNamespace.Where(w => w.Services.Any(s => s.Name == name))];
            services = selected.Count > 0 || HasConfigFor(name, requestedNamespace) ? [name] : [];
        }

        if (selected.Count == 0 && services.Count == 0)
        {
            return null;
        }

        var ns = requestedNamespace ?? selected.FirstOrDefault()?.Namespace ?? _settings.DefaultNamespace;
        var hosts = services.Select(s => HostNames.Resolve(s, ns, _settings.DomainSuffix)).ToList();
        var answer = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["services"] = new JsonArray([.. hosts.Select(h => (JsonNode)h)]),
            ["workloads"] = new JsonArray([.. selected.Select(Workload)]),
            ["virtual_services"] = VirtualServices(hosts, ns),
            ["destination_rules"] = DestinationRules(hosts, ns),
            ["authorization_policies"] = Policies(_model.AuthorizationPolicies, p => p.Selector, p => IstioName(p.Action ?? Config.Model.Security.AuthorizationAction.Allow), ns, selected),
            ["peer_authentications"] = Policies(_model.PeerAuthentications, p => p.Selector, p => p.Mtls?.Mode is { } mode ? IstioName(mode) : "UNSET", ns, selected),
            ["request_authentications"] = Policies(_model.RequestAuthentications, p => p.Selector, p => string.Join(',', p.JwtRules.Select(r => r.Issuer)), ns, selected),
            ["gateways"] = Gateways(selected),
        };
        var (networkEndpoints, networkWarnings) = DescribeNetworks.Of(inputs, hosts);
        answer["network_endpoints"] = networkEndpoints;
        _warnings.AddRange(networkWarnings);
        PoliciesSelectingNothing(ns);
        answer["warnings"] = new JsonArray([.. _warnings.Distinct(StringComparer.Ordinal).Select(w => (JsonNode)w)]);
        return answer;
    }

    private bool HasConfigFor(string service, string? ns)
    {
        var host = HostNames.Resolve(service, ns ?? _settings.DefaultNamespace, _settings.DomainSuffix);
        return _model.VirtualServices.Any(vs => vs.Spec.Hosts.Any(h => HostNames.Covers(HostNames.Resolve(h, vs.Namespace, _settings.DomainSuffix), host)))
            || _model.DestinationRules.Any(dr => dr.Spec.Host is { } h && HostNames.Covers(HostNames.Resolve(h, dr.Namespace, _settings.DomainSuffix), host));
    }

    private static JsonNode Workload(Node node) => new JsonObject
    {
        ["proxy"] = node.Id,
        ["workload"] = node.Workload,
        ["labels"] = new JsonObject([.. node.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]),
        ["service_account"] = node.ServiceAccount,
    };

    private JsonArray VirtualServices(List<string> hosts, string ns)
    {
        var list = new JsonArray();
        foreach (var vs in _model.VirtualServices)
        {
            var resolved = vs.Spec.Hosts.Select(h => HostNames.Resolve(h, vs.Namespace, _settings.DomainSuffix)).ToList();
            if (!hosts.Any(host => resolved.Any(r => HostNames.Covers(r, host))))
            {
                continue;
            }

            var routes = new JsonArray();
            for (var i = 0; i < vs.Spec.Http.Count; i++)
            {
                var route = vs.Spec.Http[i];
                routes.Add(new JsonObject
                {
                    ["index"] = i,
                    ["name"] = route.Name,
                    ["match"] = MatchText(route),
                    ["destinations"] = string.Join(", ", route.Route.Select(d => $"{d.Destination?.Host}{(d.Destination?.Subset is { } s ? "/" + s : "")} {d.Weight ?? (route.Route.Count == 1 ? 100 : 0)}%")),
                });
                ShadowWarnings(vs, i);
                SubsetWarnings(vs, route, ns);
            }

            list.Add(new JsonObject
            {
                ["name"] = vs.QualifiedName,
                ["hosts"] = new JsonArray([.. vs.Spec.Hosts.Select(h => (JsonNode)h)]),
                ["gateways"] = new JsonArray([.. (vs.Spec.Gateways.Count == 0 ? ["mesh"] : vs.Spec.Gateways).Select(g => (JsonNode)g)]),
                ["http"] = routes,
            });
        }

        return list;
    }

    /// <summary>A route is shadowed when an earlier one matches every request, or every request it matches.</summary>
    private void ShadowWarnings(ConfigResource<VirtualServiceConfig> vs, int index)
    {
        var route = vs.Spec.Http[index];
        for (var earlier = 0; earlier < index; earlier++)
        {
            var before = vs.Spec.Http[earlier];
            if (before.Match.Count == 0 && before.Delegate is null)
            {
                _warnings.Add($"VirtualService {vs.QualifiedName}: http[{index}]{Named(route)} is never reached: http[{earlier}]{Named(before)} has no match conditions and takes every request first");
                return;
            }

            if (route.Match.Count > 0 && route.Match.All(m => before.Match.Any(b => b == m || Covers(b, m))))
            {
                _warnings.Add($"VirtualService {vs.QualifiedName}: http[{index}]{Named(route)} is shadowed by http[{earlier}]{Named(before)}, whose match conditions take every request it matches");
                return;
            }
        }
    }

    /// <summary>An earlier block takes every request <paramref name="later"/> takes when it only has a URI prefix that covers the later one's, and no other condition.</summary>
    private static bool Covers(HttpMatchRequest earlier, HttpMatchRequest later) =>
        earlier with { Uri = null } == new HttpMatchRequest { Name = earlier.Name }
        && earlier.Uri?.Prefix is { } prefix
        && (later.Uri?.Prefix ?? later.Uri?.Exact) is { } path
        && path.StartsWith(prefix, StringComparison.Ordinal)
        && earlier.IgnoreUriCase == later.IgnoreUriCase;

    private void SubsetWarnings(ConfigResource<VirtualServiceConfig> vs, HttpRoute route, string ns)
    {
        foreach (var destination in route.Route.Select(r => r.Destination).OfType<Destination>())
        {
            if (destination.Subset is not { } subset || destination.Host is not { } host)
            {
                continue;
            }

            var fqdn = HostNames.Resolve(host, vs.Namespace, _settings.DomainSuffix);
            var defined = _model.DestinationRules.Any(dr => dr.Spec.Host is { } h && HostNames.Resolve(h, dr.Namespace, _settings.DomainSuffix) == fqdn && dr.Spec.Subsets.Any(s => s.Name == subset));
            if (!defined)
            {
                _warnings.Add($"VirtualService {vs.QualifiedName}: route{Named(route)} sends to subset '{subset}' of {host}, which no DestinationRule defines (requests get 503 NR)");
            }
        }
    }

    private JsonArray DestinationRules(List<string> hosts, string ns)
    {
        var list = new JsonArray();
        foreach (var dr in _model.DestinationRules)
        {
            if (dr.Spec.Host is not { } host || !hosts.Contains(HostNames.Resolve(host, dr.Namespace, _settings.DomainSuffix), StringComparer.Ordinal))
            {
                continue;
            }

            var fqdn = HostNames.Resolve(host, dr.Namespace, _settings.DomainSuffix);
            var members = _workloads.Where(w => w.Services.Any(s => HostNames.Resolve(s.Name, w.Namespace, _settings.DomainSuffix) == fqdn)).ToList();
            var subsets = new JsonArray();
            foreach (var subset in dr.Spec.Subsets)
            {
                var endpoints = members.Count(w => new WorkloadSelector { MatchLabels = subset.Labels }.Matches(w.Labels));
                subsets.Add(new JsonObject
                {
                    ["name"] = subset.Name,
                    ["labels"] = string.Join(',', subset.Labels.Select(l => $"{l.Key}={l.Value}")),
                    ["endpoints"] = endpoints,
                });
                if (endpoints == 0)
                {
                    _warnings.Add($"DestinationRule {dr.QualifiedName}: subset '{subset.Name}' ({string.Join(',', subset.Labels.Select(l => $"{l.Key}={l.Value}"))}) has no endpoints: traffic routed to it gets 503 UH");
                }
            }

            list.Add(new JsonObject
            {
                ["name"] = dr.QualifiedName,
                ["host"] = host,
                ["tls"] = dr.Spec.TrafficPolicy?.Tls?.Mode is { } tls ? IstioName(tls) : null,
                ["load_balancer"] = (dr.Spec.TrafficPolicy?.LoadBalancer?.Simple is { } simple ? IstioName(simple) : null) ?? (dr.Spec.TrafficPolicy?.LoadBalancer?.ConsistentHash is not null ? "CONSISTENT_HASH" : null),
                ["subsets"] = subsets,
            });
        }

        return list;
    }

    private JsonArray Policies<T>(IEnumerable<ConfigResource<T>> policies, Func<T, WorkloadSelector?> selector, Func<T, string> summary, string ns, List<Node> selected)
        where T : class
    {
        var list = new JsonArray();
        foreach (var policy in policies.Where(p => p.Namespace == ns || p.Namespace == _settings.RootNamespace))
        {
            var select = selector(policy.Spec);
            var applies = selected.Count == 0 || selected.Any(w => w.Namespace == ns && (select is null || select.Matches(w.Labels)));
            if (!applies)
            {
                continue;
            }

            var scope = select is null || select.MatchLabels.Count == 0
                ? policy.Namespace == _settings.RootNamespace ? "mesh-wide" : "namespace-wide"
                : "selector " + string.Join(',', select.MatchLabels.Select(l => $"{l.Key}={l.Value}"));
            list.Add(new JsonObject { ["name"] = policy.QualifiedName, ["scope"] = scope, ["summary"] = summary(policy.Spec) });
        }

        return list;
    }

    private void PoliciesSelectingNothing(string ns)
    {
        void Check<T>(string kind, IEnumerable<ConfigResource<T>> policies, Func<T, WorkloadSelector?> selector)
            where T : class
        {
            foreach (var policy in policies.Where(p => p.Namespace == ns || p.Namespace == _settings.RootNamespace))
            {
                if (selector(policy.Spec) is { MatchLabels.Count: > 0 } select
                    && !_workloads.Any(w => (policy.Namespace == _settings.RootNamespace || w.Namespace == policy.Namespace) && select.Matches(w.Labels)))
                {
                    _warnings.Add($"{kind} {policy.QualifiedName} selects no workload ({string.Join(',', select.MatchLabels.Select(l => $"{l.Key}={l.Value}"))}): it has no effect");
                }
            }
        }

        Check("AuthorizationPolicy", _model.AuthorizationPolicies, p => p.Selector);
        Check("PeerAuthentication", _model.PeerAuthentications, p => p.Selector);
        Check("RequestAuthentication", _model.RequestAuthentications, p => p.Selector);
    }

    private JsonArray Gateways(List<Node> selected)
    {
        var list = new JsonArray();
        foreach (var gateway in _model.Gateways)
        {
            var selector = new WorkloadSelector { MatchLabels = gateway.Spec.Selector };
            if (!selected.Any(w => selector.Matches(w.Labels)))
            {
                continue;
            }

            list.Add(new JsonObject
            {
                ["name"] = gateway.QualifiedName,
                ["servers"] = string.Join("; ", gateway.Spec.Servers.Select(s => $"{s.Port?.Protocol} {s.Port?.Number} {string.Join(',', s.Hosts)}")),
            });
        }

        return list;
    }

    /// <summary>An enum as Istio spells it: IstioMutual → ISTIO_MUTUAL.</summary>
    private static string IstioName(Enum value) =>
        string.Concat(value.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    private static string Named(HttpRoute route) => route.Name is { Length: > 0 } name ? $" ('{name}')" : "";

    private static string MatchText(HttpRoute route)
    {
        if (route.Match.Count == 0)
        {
            return "*";
        }

        return string.Join(" | ", route.Match.Select(m =>
        {
            var parts = new List<string>();
            if (m.Uri is { } uri)
            {
                parts.Add($"uri {StringMatchText(uri)}");
            }

            parts.AddRange(m.Headers.Select(h => $"header {h.Key} {StringMatchText(h.Value)}"));
            parts.AddRange(m.QueryParams.Select(q => $"query {q.Key} {StringMatchText(q.Value)}"));
            if (m.Method is { } method)
            {
                parts.Add($"method {StringMatchText(method)}");
            }

            if (m.Port is { } port)
            {
                parts.Add($"port {port}");
            }

            parts.AddRange(m.SourceLabels.Select(l => $"sourceLabel {l.Key}={l.Value}"));
            return parts.Count == 0 ? "*" : string.Join(" & ", parts);
        }));
    }

    private static string StringMatchText(StringMatch match) =>
        match.Exact is { } exact ? $"exact:{exact}" : match.Prefix is { } prefix ? $"prefix:{prefix}" : match.Regex is { } regex ? $"regex:{regex}" : "present";
}
