using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// The sources that are refused now, for status: config files (or Kubernetes objects) whose current
/// content does not serve, persisted API objects moved aside because they no longer parse (reported
/// while the <c>.invalid</c> file is there), and a last accepted configuration that could not be
/// restored. Each kind is replaced or cleared as a whole when its source changes, so a fixed source
/// leaves the list. Thread-safe.
/// </summary>
internal sealed class RejectedSources
{
    private readonly Lock _lock = new();
    private IReadOnlyList<ConfigRejection> _files = [];
    private readonly List<(string Path, ConfigRejection Rejection)> _quarantined = [];
    private ConfigRejection? _restore;

    /// <summary>The sources refused now: files (by name), moved-aside API objects, the journal.</summary>
    public IReadOnlyList<ConfigRejection> Current
    {
        get
        {
            lock (_lock)
            {
                return
                [
                    .. _files,
                    .. _quarantined.Where(q => File.Exists(q.Path)).Select(q => q.Rejection),
                    .. _restore is null ? [] : new[] { _restore },
                ];
            }
        }
    }

    /// <summary>
    /// The directory (or object set) was compiled: the errors of a refused candidate, and of
    /// sources the caller left out before the store saw them, grouped by the source they name.
    /// None clears the list.
    /// </summary>
    public void SetFiles(DateTimeOffset at, IEnumerable<ConfigError> errors)
    {
        lock (_lock)
        {
            var previous = _files.ToDictionary(r => r.Source, StringComparer.Ordinal);
            _files =
            [
                .. errors
                    .GroupBy(e => e.Source.Origin, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => (Source: g.Key, Errors: g.Distinct().ToList()))
                    // A source refused for the same errors as before keeps its time ("since").
                    .Select(r => previous.TryGetValue(r.Source, out var before) && before.Errors.SequenceEqual(r.Errors)
                        ? before
                        : new ConfigRejection(at, r.Source, r.Errors)),
            ];
        }
    }

    public void AddQuarantined(string movedTo, ConfigRejection rejection)
    {
        lock (_lock)
        {
            _quarantined.Add((movedTo, rejection));
        }
    }

    public void SetRestoreFailed(ConfigRejection? rejection)
    {
        lock (_lock)
        {
            _restore = rejection;
        }
    }
}
