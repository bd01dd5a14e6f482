using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;
using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Turns the cached custom resources into the store's configuration. Each object is parsed and
/// validated on its own with the same parser and validator as files and the apply API: a valid
/// object is applied; an invalid one is reported (log and status) and not applied — if an earlier
/// generation of it was valid, that generation keeps serving, so one bad edit by one team never
/// takes a working route away or blocks everyone else's changes. Objects the store then still
/// rejects as a whole (cross-object rules) are reported the same way and left out.
/// </summary>
internal sealed class CustomResourceReconciler(
    ConfigStore store, CustomResourceCache cache, CustomResourceStatusWriter statusWriter, ILogger<CustomResourceReconciler> logger)
{
    public const string ChangeSource = "kubernetes";

    // Origin → the last valid generation and its document: what keeps serving while a newer one is invalid.
    private readonly Dictionary<string, (long Generation, string Document)> _lastGood = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _reported = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The verdicts of the last reconcile, by origin (for tests and diagnostics).</summary>
    public IReadOnlyDictionary<string, CustomResourceVerdict> Verdicts { get; private set; } = new Dictionary<string, CustomResourceVerdict>();

    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var objects = cache.Snapshot();
            foreach (var gone in _lastGood.Keys.Concat(_reported.Keys).Where(k => objects.All(o => o.Origin != k)).Distinct().ToList())
            {
                _lastGood.Remove(gone);
                _reported.Remove(gone);
                statusWriter.Forget(gone);
            }

            var verdicts = new Dictionary<string, CustomResourceVerdict>(StringComparer.Ordinal);
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            var meshConfig = MeshConfigOf(objects);
            foreach (var configObject in objects)
            {
                var errors = Validate(configObject, meshConfig);
                if (errors.Count == 0)
                {
                    files[configObject.Origin] = configObject.Document;
                    verdicts[configObject.Origin] = CustomResourceVerdict.Valid;
                }
                else
                {
                    verdicts[configObject.Origin] = Reject(configObject, errors, files);
                }
            }

            var result = await store.UpdateFilesAsync(files, ChangeSource, cancellationToken, LeftOut(objects, verdicts));
            if (result.Outcome == ConfigChangeOutcome.Invalid)
            {
                // Rules across objects: leave out every object an error names, then try again.
                foreach (var group in result.Errors.GroupBy(e => e.Source.Origin, StringComparer.Ordinal))
                {
                    if (objects.FirstOrDefault(o => o.Origin == group.Key) is { } configObject)
                    {
                        files.Remove(configObject.Origin);
                        _lastGood.Remove(configObject.Origin);
                        verdicts[configObject.Origin] = new CustomResourceVerdict(false, [.. group], null);
                    }
                }

                await store.UpdateFilesAsync(files, ChangeSource, cancellationToken, LeftOut(objects, verdicts));
            }

            foreach (var configObject in objects.Where(o => verdicts[o.Origin].Accepted))
            {
                _lastGood[configObject.Origin] = (configObject.Generation, configObject.Document);
            }

            Verdicts = verdicts;
            foreach (var configObject in objects)
            {
                var verdict = verdicts[configObject.Origin];
                if (!verdict.Accepted && (!_reported.TryGetValue(configObject.Origin, out var reported) || reported != configObject.Generation))
                {
                    _reported[configObject.Origin] = configObject.Generation;
                    KubernetesLog.InvalidObject(logger, configObject.Origin, configObject.Generation,
                        verdict.ServingGeneration is { } serving ? $" (generation {serving} keeps serving)" : "",
                        string.Join("; ", verdict.Errors));
                }

                // The cache holds the newest status seen, including the one this writer wrote last.
                await statusWriter.WriteAsync(configObject with { Status = cache.StatusOf(configObject.Origin) }, verdict, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // The objects refused on their own: the store reports them as refused sources (meshctl status)
    // while the rest serves.
    private static List<ConfigError> LeftOut(IReadOnlyList<CustomResourceObject> objects, Dictionary<string, CustomResourceVerdict> verdicts) =>
        [.. objects.Where(o => !verdicts[o.Origin].Accepted).SelectMany(o => verdicts[o.Origin].Errors)];

    private CustomResourceVerdict Reject(CustomResourceObject configObject, IReadOnlyList<ConfigError> errors, Dictionary<string, string> files)
    {
        if (_lastGood.TryGetValue(configObject.Origin, out var lastGood))
        {
            files[configObject.Origin] = lastGood.Document;
            return new CustomResourceVerdict(false, errors, lastGood.Generation);
        }

        return new CustomResourceVerdict(false, errors, null);
    }

    /// <summary>
    /// Validates one object on its own — with the mesh config beside it, which some objects depend
    /// on (a CUSTOM policy names one of its extension providers); only the object's own errors count.
    /// </summary>
    private static IReadOnlyList<ConfigError> Validate(CustomResourceObject configObject, IReadOnlyList<ConfigObject> meshConfig)
    {
        var parsed = ConfigParser.Parse(configObject.Document, configObject.Origin);
        if (!parsed.Succeeded)
        {
            return ConfigValidator.ValidateParsed(parsed);
        }

        if (parsed.Objects is not [var single])
        {
            return [new ConfigError(new ConfigSource(configObject.Origin, 1), configObject.Kind.Kind, configObject.Name, "", "expected exactly one object")];
        }

        return configObject.Kind == ConfigKinds.MeshConfigMap
            ? ConfigValidator.Validate(single)
            : [.. ConfigValidator.Validate([single, .. meshConfig]).Where(e => e.Source.Origin == configObject.Origin)];
    }

    /// <summary>The mesh config ConfigMap as parsed, when it parses; an invalid one is reported on its own.</summary>
    private static IReadOnlyList<ConfigObject> MeshConfigOf(IReadOnlyList<CustomResourceObject> objects) =>
        [.. objects
            .Where(o => o.Kind == ConfigKinds.MeshConfigMap)
            .Select(o => ConfigParser.Parse(o.Document, o.Origin))
            .Where(parsed => parsed.Succeeded && ConfigValidator.Validate(parsed.Objects).Count == 0)
            .SelectMany(parsed => parsed.Objects)];
}
