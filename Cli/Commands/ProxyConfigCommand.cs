using System.CommandLine;
using System.Text.Json.Nodes;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>meshctl proxy-config PROXY [-o table|json]</c>: the snapshot the control plane last sent the
/// proxy — a summary of routes, clusters and endpoints, or the full snapshot as JSON.
/// </summary>
internal static class ProxyConfigCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var proxy = new Argument<string>("PROXY") { Description = "Proxy id (see proxy-status)" };
        var output = GetCommand.OutputOption("table", "json");
        var command = new Command("proxy-config", "Show the configuration snapshot a proxy was sent") { proxy, output };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            using var client = CommandAction.Client(result, global, context);
            var json = await client.ProxyConfigAsync(result.GetRequiredValue(proxy), cancellationToken);
            if (result.GetRequiredValue(output) == "json")
            {
                await context.Out.WriteAsync(json.EndsWith('\n') ? json : json + "\n");
                return 0;
            }

            var snapshot = JsonNode.Parse(json) ?? throw new CliException("the control plane sent an empty snapshot");
            await WriteSummaryAsync(snapshot, context.Out);
            return 0;
        });
        return command;
    }

    private static async Task WriteSummaryAsync(JsonNode snapshot, TextWriter output)
    {
        await output.WriteLineAsync($"PROXY {Text(snapshot["node"]?["id"])}   VERSION {Text(snapshot["version"])}   CONFIG GENERATION {Text(snapshot["configGeneration"], "0")}");
        await output.WriteLineAsync();

        // ORIGIN: the object a route came from (a VirtualService name.namespace, or HTTPRoute/GRPCRoute/name.namespace).
        var routes = new TableWriter("VIRTUAL HOST", "DOMAINS", "ROUTE", "ORIGIN", "MATCH", "DESTINATIONS");
        foreach (var host in Items(snapshot["virtualHosts"]))
        {
            var domains = string.Join(",", Items(host?["domains"]).Select(d => Text(d)).Take(3)) + (Items(host?["domains"]).Count() > 3 ? ",..." : "");
            foreach (var route in Items(host?["routes"]).DefaultIfEmpty(null))
            {
                routes.Add(Text(host?["name"]), domains, Text(route?["name"]), Text(route?["virtualService"]), Match(route), Destinations(route));
            }
        }

        var clusters = new TableWriter("CLUSTER", "PROTOCOL", "ENDPOINTS", "LOAD BALANCER", "TLS");
        var endpoints = new TableWriter("CLUSTER", "ADDRESS", "WORKLOAD", "MTLS");
        foreach (var cluster in Items(snapshot["clusters"]))
        {
            var members = Items(cluster?["endpoints"]).ToList();
            var balancer = cluster?["loadBalancer"] is { } lb ? (lb["consistentHash"] is not null ? "CONSISTENT_HASH" : Text(lb["simple"], "LEAST_REQUEST")) : "LEAST_REQUEST";
            clusters.Add(Text(cluster?["name"]), Text(cluster?["protocol"], "HTTP"), members.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), balancer, Text(cluster?["tls"]?["mode"], "-"));
            foreach (var endpoint in members)
            {
                endpoints.Add(Text(cluster?["name"]), $"{Text(endpoint?["address"])}:{Text(endpoint?["port"], "0")}", endpoint?["networkGateway"]?.GetValue<bool>() == true ? $"east-west gateway of {Text(endpoint?["network"])}" : Text(endpoint?["workload"]), endpoint?["mtls"]?.GetValue<bool>() == true ? "yes" : "no");
            }
        }

        await WriteSectionAsync(output, "ROUTES", routes);
        await WriteSectionAsync(output, "CLUSTERS", clusters);
        await WriteSectionAsync(output, "ENDPOINTS", endpoints);
    }

    private static async Task WriteSectionAsync(TextWriter output, string title, TableWriter table)
    {
        await output.WriteLineAsync($"{title} ({table.RowCount})");
        if (table.RowCount > 0)
        {
            table.WriteTo(output);
        }

        await output.WriteLineAsync();
    }

    private static string Match(JsonNode? route)
    {
        var matches = Items(route?["matches"]).ToList();
        if (matches.Count == 0)
        {
            return "*";
        }

        return string.Join(" | ", matches.Select(m =>
        {
            var parts = new List<string>();
            if (m?["uri"] is JsonObject uri)
            {
                parts.Add(uri.FirstOrDefault(p => p.Key is "exact" or "prefix" or "regex") is { Key: not null } kv ? $"{kv.Key}:{Text(kv.Value)}" : "uri");
            }

            parts.AddRange(((m?["headers"] as JsonObject) ?? []).Select(h => $"header:{h.Key}"));
            return parts.Count == 0 ? "*" : string.Join("&", parts);
        }));
    }

    private static string Destinations(JsonNode? route)
    {
        if (route is null)
        {
            return "";
        }

        if (route["redirect"] is not null)
        {
            return "redirect";
        }

        if (route["directResponse"] is { } direct)
        {
            return $"direct {Text(direct["status"])}";
        }

        return string.Join(", ", Items(route["route"]?["clusters"]).Select(c => $"{Text(c?["cluster"])} {Text(c?["weight"], "100")}%"));
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? node) => node as JsonArray ?? [];

    private static string Text(JsonNode? node, string fallback = "") => node switch
    {
        null => fallback,
        JsonValue value => value.ToString(),
        _ => node.ToJsonString(),
    };
}
