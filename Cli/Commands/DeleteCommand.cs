using System.CommandLine;
using Mesh.Cli.Files;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>meshctl delete -f FILE|DIR</c> or <c>meshctl delete KIND NAME [-n NS]</c>: deletes objects applied
/// through the API (file-defined objects are edited in their files; the control plane says which).
/// </summary>
internal static class DeleteCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var kind = new Argument<string?>("KIND") { Description = "Kind, plural or short name", Arity = ArgumentArity.ZeroOrOne };
        var name = new Argument<string?>("NAME") { Description = "Object name", Arity = ArgumentArity.ZeroOrOne };
        var files = ApplyCommand.FileOption("Files or directories (recursive) naming the objects to delete");
        files.Required = false;
        var ns = GetCommand.NamespaceOption();
        ns.Description = "Namespace (default: default); with -f, of the objects that name none";
        var ignoreNotFound = new Option<bool>("--ignore-not-found") { Description = "Treat objects that do not exist as deleted" };
        var command = new Command("delete", "Delete configuration applied through the control plane API") { kind, name, files, ns, ignoreNotFound };
        CommandAction.Set(command, context, async (result, cancellationToken) =>
        {
            var paths = result.GetValue(files);
            var kindText = result.GetValue(kind);
            if ((paths is { Length: > 0 }) == (kindText is not null))
            {
                throw new CliException("give either -f FILE|DIR or KIND NAME");
            }

            using var client = CommandAction.Client(result, global, context);
            Client.ApiConfigChange change;
            if (paths is { Length: > 0 })
            {
                var read = ConfigFiles.Read(paths, context);
                var local = ConfigFiles.Validate(read, semantic: false, @namespace: result.GetValue(ns));
                if (!local.IsValid)
                {
                    throw ApplyCommand.ValidationFailed(local.Errors.Select(e => e.ToString()).ToList(), "nothing was deleted");
                }

                change = await client.DeleteAsync(ConfigFiles.Combine(read), result.GetValue(ignoreNotFound), result.GetValue(ns), cancellationToken);
            }
            else
            {
                var objectName = result.GetValue(name) ?? throw new CliException("delete KIND needs a NAME");
                var configKind = GetCommand.ResolveKind(kindText!);
                try
                {
                    change = await client.DeleteAsync(configKind.Id, result.GetValue(ns) ?? "default", objectName, cancellationToken);
                }
                catch (CliException ex) when (result.GetValue(ignoreNotFound) && ex.Message.EndsWith("not found", StringComparison.Ordinal))
                {
                    return 0;
                }
            }

            if (change.Errors is { Count: > 0 } errors)
            {
                throw ApplyCommand.ValidationFailed(errors.Select(e => e.Formatted).ToList(), "the configuration would become invalid; nothing was deleted");
            }

            foreach (var key in change.Keys)
            {
                await context.Out.WriteLineAsync($"{key} deleted");
            }

            if (!string.IsNullOrEmpty(change.Message) && change.Keys.Count > 0)
            {
                await context.Out.WriteLineAsync($"note: {change.Message}");
            }

            await context.Out.WriteLineAsync($"configuration generation {change.Generation}");
            return 0;
        });
        return command;
    }
}
