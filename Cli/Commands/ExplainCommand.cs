using System.CommandLine;
using System.Text.Json.Nodes;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>meshctl explain --from WORKLOAD [-X METHOD] [-H 'name: value']... [--jwt TOKEN] URL [-o text|json]</c>:
/// what the mesh does with a request, hop by hop, answered by the proxies' own code on their current
/// snapshots (the control plane asks the source's proxy, then each destination's): the VirtualService
/// and route that matched, the subset and weights, timeouts, retries, faults, mirrors, mTLS on the
/// hop, authorization with the policy and rule that decided, and the eligible endpoints.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var url = new Argument<string>("URL") { Description = "The request's URL as the source app would call it, e.g. http://reviews:9080/reviews/0" };
        var from = new Option<string>("--from") { Description = "Source workload (its name, app label or proxy id)", Required = true };
        var method = new Option<string>("--request", "-X") { Description = "HTTP method", DefaultValueFactory = _ => "GET" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A request header, 'name: value' (repeatable)", AllowMultipleArgumentsPerToken = false };
        var jwt = new Option<string?>("--jwt") { Description = "A JWT sent as 'authorization: Bearer <token>'" };
        var output = GetCommand.OutputOption("text", "json");
        var command = new Command("explain", "Explain what the mesh does with a request, from the proxies' own decisions") { url, from, method, headers, jwt, output };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            var list = new JsonArray();
            foreach (var header in result.GetValue(headers) ?? [])
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new CliException($"-H '{header}': a header is 'name: value'");
                }

                list.Add(new JsonObject { ["name"] = header[..colon].Trim(), ["value"] = header[(colon + 1)..].Trim() });
            }

            if (result.GetValue(jwt) is { Length: > 0 } token)
            {
                list.Add(new JsonObject { ["name"] = "authorization", ["value"] = "Bearer " + token });
            }

            var target = result.GetRequiredValue(url);
            if (!target.Contains("://", StringComparison.Ordinal))
            {
                // curl-like: "reviews:9080/reviews/0" means http://.
                target = "http://" + target;
            }

            var body = new JsonObject
            {
                ["from"] = result.GetRequiredValue(from),
                ["method"] = result.GetRequiredValue(method).ToUpperInvariant(),
                ["url"] = target,
                ["headers"] = list,
            };
            using var client = CommandAction.Client(result, global, context);
            var json = await client.ExplainAsync(body.ToJsonString(), cancellationToken);
            if (result.GetRequiredValue(output) == "json")
            {
                await context.Out.WriteAsync(json.EndsWith('\n') ? json : json + "\n");
                return 0;
            }

            var answer = JsonNode.Parse(json) as JsonObject ?? throw new CliException("the control plane sent an empty explanation");
            await ExplainText.WriteAsync(answer, context.Out);
            return 0;
        });
        return command;
    }
}
