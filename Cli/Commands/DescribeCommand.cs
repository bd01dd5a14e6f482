using System.CommandLine;
using System.Text.Json.Nodes;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>meshctl describe WORKLOAD|SERVICE [-n NAMESPACE] [-o text|json]</c> (Istio's <c>istioctl x describe</c>):
/// the VirtualServices, DestinationRules, policies and Gateways that affect it, with warnings
/// (a subset without endpoints, a shadowed route, a policy that selects nothing, an endpoint another
/// network cannot reach), computed by the control plane from its model and registry.
/// </summary>
internal static class DescribeCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "A workload (name, app label or proxy id) or a service" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Namespace (default: the workload's)" };
        var output = GetCommand.OutputOption("text", "json");
        var command = new Command("describe", "Show the configuration that affects a workload or service, with warnings") { name, ns, output };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            using var client = CommandAction.Client(result, global, context);
            var json = await client.DescribeAsync(result.GetRequiredValue(name), result.GetValue(ns), cancellationToken);
            if (result.GetRequiredValue(output) == "json")
            {
                await context.Out.WriteAsync(json.EndsWith('\n') ? json : json + "\n");
                return 0;
            }

            var description = JsonNode.Parse(json) as JsonObject ?? throw new CliException("the control plane sent an empty description");
            await WriteAsync(description, context.Out);
            return 0;
        });
        return command;
    }

    private static async Task WriteAsync(JsonObject d, TextWriter output)
    {
        await output.WriteLineAsync($"{Text(d["name"])} in namespace {Text(d["namespace"])}   services: {Join(d["services"])}");
        var workloads = new TableWriter("PROXY", "WORKLOAD", "LABELS", "SERVICE ACCOUNT");
        foreach (var w in Items(d["workloads"]))
        {
            var labels = (w?["labels"] as JsonObject ?? []).Select(l => $"{l.Key}={Text(l.Value)}");
            workloads.Add(Text(w?["proxy"]), Text(w?["workload"]), string.Join(",", labels), Text(w?["service_account"]));
        }

        await SectionAsync(output, "WORKLOADS", workloads);
        var routes = new TableWriter("VIRTUAL SERVICE", "GATEWAYS", "HTTP", "NAME", "MATCH", "DESTINATIONS");
        foreach (var vs in Items(d["virtual_services"]))
        {
            foreach (var route in Items(vs?["http"]).DefaultIfEmpty(null))
            {
                routes.Add(Text(vs?["name"]), Join(vs?["gateways"]), Text(route?["index"], "-"), Text(route?["name"], "-"), Text(route?["match"], "-"), Text(route?["destinations"], "-"));
            }
        }

        await SectionAsync(output, "VIRTUAL SERVICES", routes);
        var rules = new TableWriter("DESTINATION RULE", "HOST", "TLS", "LOAD BALANCER", "SUBSET", "LABELS", "ENDPOINTS");
        foreach (var dr in Items(d["destination_rules"]))
        {
            foreach (var subset in Items(dr?["subsets"]).DefaultIfEmpty(null))
            {
                rules.Add(Text(dr?["name"]), Text(dr?["host"]), Text(dr?["tls"], "-"), Text(dr?["load_balancer"], "-"), Text(subset?["name"], "-"), Text(subset?["labels"], "-"), Text(subset?["endpoints"], "-"));
            }
        }

        await SectionAsync(output, "DESTINATION RULES", rules);
        var policies = new TableWriter("KIND", "NAME", "SCOPE", "SUMMARY");
        foreach (var (kind, key) in new[] { ("AuthorizationPolicy", "authorization_policies"), ("PeerAuthentication", "peer_authentications"), ("RequestAuthentication", "request_authentications") })
        {
            foreach (var p in Items(d[key]))
            {
                policies.Add(kind, Text(p?["name"]), Text(p?["scope"]), Text(p?["summary"]));
            }
        }

        await SectionAsync(output, "POLICIES", policies);
        var gateways = new TableWriter("GATEWAY", "SERVERS");
        foreach (var g in Items(d["gateways"]))
        {
            gateways.Add(Text(g?["name"]), Text(g?["servers"]));
        }

        await SectionAsync(output, "GATEWAYS", gateways);
        var networks = new TableWriter("ENDPOINT", "WORKLOAD", "NETWORK", "FROM NETWORK", "REACHED");
        foreach (var e in Items(d["network_endpoints"]))
        {
            networks.Add(Text(e?["endpoint"]), Text(e?["workload"], "-"), Text(e?["network"]), Text(e?["from_network"]), Text(e?["reached"]));
        }

        if (networks.RowCount > 0)
        {
            await SectionAsync(output, "ENDPOINTS ON OTHER NETWORKS", networks);
        }

        var warnings = Items(d["warnings"]).Select(w => Text(w)).ToList();
        await output.WriteLineAsync($"WARNINGS ({warnings.Count})");
        foreach (var warning in warnings)
        {
            await output.WriteLineAsync($"  ! {warning}");
        }
    }

    private static async Task SectionAsync(TextWriter output, string title, TableWriter table)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync($"{title} ({table.RowCount})");
        if (table.RowCount > 0)
        {
            table.WriteTo(output);
        }
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? node) => node as JsonArray ?? [];

    private static string Join(JsonNode? node) => string.Join(",", Items(node).Select(n => Text(n)));

    private static string Text(JsonNode? node, string fallback = "") => JsonText.Of(node, fallback);
}
