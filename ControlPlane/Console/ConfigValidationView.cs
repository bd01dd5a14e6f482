using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Console;

/// <summary>
/// The applied config objects with their validation state: every serving object is valid; a
/// refused change still pending (the directory out of sync, or refused after the serving
/// generation) marks the objects its errors name, and lists objects that never got in.
/// </summary>
internal static class ConfigValidationView
{
    public static ConsoleConfig Build(ConfigStoreModel current, ConfigStatusModel status)
    {
        var rejection = status.LastError is { } error && (!status.FilesInSync || status.AcceptedAt is null || error.At >= status.AcceptedAt)
            ? error
            : null;
        var errorsByObject = (rejection?.Errors ?? [])
            .Where(e => !string.IsNullOrEmpty(e.Kind) && !string.IsNullOrEmpty(e.Name))
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
                Source = rejection!.Source,
                Validation = "invalid",
                Errors = errors,
            });
        }

        return new ConsoleConfig
        {
            Generation = status.Generation,
            AcceptedAt = status.AcceptedAt,
            AcceptedFrom = status.AcceptedFrom,
            FilesInSync = status.FilesInSync,
            Rejection = rejection is null ? null : new ConsoleRejection(rejection.At, rejection.Source, [.. rejection.Errors.Select(e => e.ToString())]),
            Objects = [.. rows.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)],
        };
    }
}
