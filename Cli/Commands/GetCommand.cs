using System.CommandLine;
using System.Text.Json.Nodes;
using Mesh.Cli.Client;
using Mesh.Cli.Output;
using Mesh.Config.Model;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>meshctl get KIND [NAME] [-n NAMESPACE] [-o table|yaml|json]</c>. Without a name it lists
/// every namespace unless <c>-n</c> is given; with a name the namespace defaults to "default".
/// <c>KIND</c> may be a kind, plural or short name (vs, dr, gw, ...) or "all".
/// </summary>
internal static class GetCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var kind = new Argument<string>("KIND") { Description = "Kind, plural or short name (vs, dr, gw, se, pa, ap, ra), or 'all'" };
        var name = new Argument<string?>("NAME") { Description = "Object name", Arity = ArgumentArity.ZeroOrOne };
        var ns = NamespaceOption();
        var output = OutputOption("table", "yaml", "json");
        var command = new Command("get", "Show configuration objects") { kind, name, ns, output };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            var kindText = result.GetRequiredValue(kind);
            var configKind = kindText.Equals("all", StringComparison.OrdinalIgnoreCase) ? null : ResolveKind(kindText);
            var objectName = result.GetValue(name);
            var format = result.GetRequiredValue(output);
            using var client = CommandAction.Client(result, global, context);
            await ConfigHealthWarning.WriteAsync(client, context, cancellationToken);

            if (objectName is not null)
            {
                if (configKind is null)
                {
                    throw new CliException("'get all' takes no NAME");
                }

                var @namespace = result.GetValue(ns) ?? "default";
                if (format == "table")
                {
                    var list = await client.ListAsync(configKind.Id, @namespace, cancellationToken);
                    var item = list.Items.FirstOrDefault(i => i.Name == objectName)
                        ?? throw new CliException($"{configKind.Id}/{@namespace}/{objectName} not found");
                    WriteTable([item], showKind: false, context);
                    return 0;
                }

                var text = await client.GetObjectAsync(configKind.Id, @namespace, objectName, format, cancellationToken);
                await context.Out.WriteAsync(text.EndsWith('\n') ? text : text + "\n");
                return 0;
            }

            var items = (await client.ListAsync(configKind?.Id, result.GetValue(ns), cancellationToken)).Items;
            switch (format)
            {
                case "table" when items.Count == 0:
                    await context.Error.WriteLineAsync("No resources found.");
                    break;
                case "table":
                    WriteTable(items, showKind: configKind is null, context);
                    break;
                case "yaml":
                    var documents = new List<string>();
                    foreach (var item in items)
                    {
                        documents.Add(await client.GetObjectAsync(item.Kind, item.Namespace, item.Name, "yaml", cancellationToken));
                    }

                    await context.Out.WriteAsync(string.Join("---\n", documents));
                    break;
                default:
                    var array = new JsonArray();
                    foreach (var item in items)
                    {
                        array.Add(JsonNode.Parse(await client.GetObjectAsync(item.Kind, item.Namespace, item.Name, "json", cancellationToken)));
                    }

                    await context.Out.WriteLineAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = array }.ToJsonString(Json.Indented));
                    break;
            }

            return 0;
        });
        return command;
    }

    internal static ConfigKind ResolveKind(string text) =>
        ConfigKinds.TryParse(text, out var kind)
            ? kind
            : throw new CliException($"unknown kind '{text}' (known: {string.Join(", ", ConfigKinds.All.Select(k => k.ShortNames.Count > 0 ? $"{k.Id} ({k.ShortNames[0]})" : k.Id))})");

    internal static Option<string?> NamespaceOption() => new("--namespace", "-n") { Description = "Namespace (get without NAME: all namespaces when omitted)" };

    internal static Option<string> OutputOption(params string[] formats)
    {
        var option = new Option<string>("--output", "-o") { Description = $"Output format: {string.Join(", ", formats)}", DefaultValueFactory = _ => formats[0] };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    private static void WriteTable(IReadOnlyList<ApiConfigItem> items, bool showKind, CliContext context)
    {
        var now = DateTimeOffset.UtcNow;
        // One kind's status columns (a Gateway's CLASS, ADDRESS, PROGRAMMED), as kubectl shows a CRD's printer columns.
        var extra = showKind ? [] : items.SelectMany(i => i.Columns?.Keys ?? Enumerable.Empty<string>()).Distinct().ToList();
        var table = showKind
            ? new TableWriter("KIND", "NAME", "NAMESPACE", "SOURCE", "GENERATION", "AGE")
            : new TableWriter(["NAME", "NAMESPACE", .. extra, "SOURCE", "GENERATION", "AGE"]);
        foreach (var item in items)
        {
            var tail = new[] { item.Source, item.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), Age.Since(item.UpdatedAt, now) };
            table.Add(showKind
                ? [item.Kind, item.Name, item.Namespace, .. tail]
                : [item.Name, item.Namespace, .. extra.Select(c => item.Columns?.GetValueOrDefault(c) ?? ""), .. tail]);
        }

        table.WriteTo(context.Out);
    }
}
