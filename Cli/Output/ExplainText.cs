using System.Text.Json.Nodes;

namespace Mesh.Cli.Output;

/// <summary>The text form of <c>meshctl explain</c>: a summary (VirtualService, route, subset, outcome), then each hop's steps.</summary>
internal static class ExplainText
{
    public static async Task WriteAsync(JsonObject answer, TextWriter output)
    {
        var from = answer["from"];
        var request = answer["request"];
        var outbound = answer["outbound"] as JsonObject ?? [];
        var hops = (answer["inbound"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var result = outbound["result"];
        await output.WriteLineAsync($"{Text(request?["method"])} {Text(request?["url"])} from {Text(from?["workload"])} (proxy {Text(from?["proxy"])}, {Text(from?["principal"])})");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"VirtualService: {Text(result?["virtual_service"], "-")}   route: {Text(result?["route"], "-")}   virtual host: {Text(result?["virtual_host"], "-")}");
        var cluster = result?["cluster"] is not null
            ? $"subset: {Text(result?["subset"], "-")}   cluster: {Text(result?["cluster"])}"
            : result?["clusters"] is { } clusters ? $"clusters (weighted, random per request): {Text(clusters)}" : "cluster: -";
        await output.WriteLineAsync(cluster);
        await output.WriteLineAsync($"outcome: {Outcome(outbound, hops)}");
        await WriteHopAsync(output, $"OUTBOUND at {Text(from?["proxy"])} (listener {Text(result?["listener"])}, snapshot {Text(result?["snapshot_version"], "-")})", outbound);
        foreach (var hop in hops)
        {
            var title = $"INBOUND at {Text(hop["proxy"], "?")} (workload {Text(hop["workload"])}, endpoint {Text(hop["endpoint"])}, hop {Text(hop["mtls"])})";
            if (hop["explanation"] is JsonObject inbound)
            {
                await WriteHopAsync(output, title, inbound);
            }
            else
            {
                await output.WriteLineAsync();
                await output.WriteLineAsync(title);
                await output.WriteLineAsync($"  {Text(hop["error"])}");
            }
        }
    }

    private static string Outcome(JsonObject outbound, List<JsonObject> hops)
    {
        if (Ended(outbound) is { } ended)
        {
            return ended + " (at the source's proxy)";
        }

        var inbound = hops.Select(h => (Hop: h, Ended: h["explanation"] is JsonObject e ? Ended(e) : null)).ToList();
        if (inbound.Count == 0)
        {
            return "forwarded";
        }

        return string.Join("; ", inbound.Select(i => $"{Text(i.Hop["workload"])}: {i.Ended ?? (i.Hop["error"] is null ? "forwarded to the app" : "unknown (" + Text(i.Hop["error"]) + ")")}"));
    }

    private static string? Ended(JsonObject explanation)
    {
        var outcome = explanation["outcome"];
        if (outcome?["forwarded"]?.GetValue<bool>() != false)
        {
            return null;
        }

        var status = outcome["status"]?.GetValue<int>() ?? 0;
        return status == 0 ? Text(outcome["reason"]) : $"{status} {Text(outcome["reason"])}";
    }

    private static async Task WriteHopAsync(TextWriter output, string title, JsonObject explanation)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync(title);
        foreach (var step in (explanation["steps"] as JsonArray ?? []).OfType<JsonObject>())
        {
            await output.WriteLineAsync($"  {Text(step["stage"]),-16} {Text(step["verdict"]),-14} {Text(step["detail"])}");
            foreach (var item in (step["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                await output.WriteLineAsync($"  {"",-16}   {Text(item["verdict"]),-12} {Text(item["name"])}: {Text(item["detail"])}");
            }
        }
    }

    private static string Text(JsonNode? node, string fallback = "") => JsonText.Of(node, fallback);
}
