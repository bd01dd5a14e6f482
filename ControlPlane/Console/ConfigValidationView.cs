using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Console;

/// <summary>
/// The applied config objects with their validation state: every serving object is valid; the
/// sources refused now and the last refused change (until a later one is accepted) mark the
/// objects their errors name, and list objects that never got in.
/// </summary>
internal static class ConfigValidationView
{
    public static ConsoleConfig Build(ConfigStoreModel current, ConfigStatusModel status)
    {
        var rejection = status.LastError;
        var errorsByObject = status.Rejected.SelectMany(r => r.Errors).Concat(rejection?.Errors ?? [])
            .Where(e => !string.IsNullOrEmpty(e.Kind) && !string.IsNullOrEmpty(e.Name))
            .Distinct()
            .GroupBy(e => (Kind: e.Kind!, Name: e.Name!))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(e => e.ToString())]);

        var rows = new List<ConfigObjectRow>();
        var matched = new HashSet<(string, string)>();
        foreach (var entry in current.Entries.Values)
        {
            var key = (entry.Object.Kind, entry.Object.Metadata.Name);
            var errors = errorsByObject.GetValueOrDefault(key);
            if (errors is not null)
            {
                matched.Add(key);
            }

            rows.Add(new ConfigObjectRow
            {
                Kind = entry.Object.Kind,
                Namespace = entry.Object.Metadata.Namespace,
                Name = entry.Object.Metadata.Name,
                Source = entry.Source,
                Generation = entry.Generation,
                UpdatedAt = entry.UpdatedAt,
                Validation = errors is null ? "valid" : "invalid_change",
                Errors = errors ?? [],
            });
        }

        foreach (var ((kind, name), errors) in errorsByObject.Where(e => !matched.Contains(e.Key)))
        {
            rows.Add(new ConfigObjectRow
            {
                Kind = kind,
                Namespace = "",
                Name = name,
                Source = status.Rejected.FirstOrDefault(r => r.Errors.Any(e => e.Kind == kind && e.Name == name))?.Source ?? rejection?.Source ?? "",
                Validation = "invalid",
                Errors = errors,
            });
        }

        return new ConsoleConfig
        {
            Accepted = status.Accepted,
            Generation = status.Generation,
            AcceptedAt = status.AcceptedAt,
            AcceptedFrom = status.AcceptedFrom,
            FilesInSync = status.FilesInSync,
            Rejection = rejection is null ? null : Row(rejection),
            Rejected = [.. status.Rejected.Select(Row)],
            Objects = [.. rows.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)],
        };
    }

    private static ConsoleRejection Row(ConfigRejection rejection) =>
        new(rejection.At, rejection.Source, [.. rejection.Errors.Select(e => e.ToString())]);
}
