using System.Collections.Immutable;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// The configuration store. Its sources are the config directory's files and the objects applied
/// through the admin API (persisted; an applied object overrides a file object with the same
/// Kind/namespace/name). Every change builds the complete candidate, which is validated and
/// accepted or rejected whole: the last good <see cref="ConfigStoreModel"/> keeps serving and the
/// errors are logged and the refused sources kept for status until they are fixed. A change that
/// leaves the content as it was (a touched file, a re-applied object) does not move the generation.
/// Changes are serialized. Every accepted configuration is journaled (<see cref="AcceptedConfigJournal"/>)
/// and restored at start, so a restart with an invalid source serves what served before; until
/// something is accepted or restored the model is not <see cref="ConfigStoreModel.IsAccepted"/>
/// and nothing is pushed.
/// </summary>
internal sealed class ConfigStore
{
    private static readonly ImmutableSortedDictionary<string, string> NoFiles = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConfigCompiler _compiler;
    private readonly AppliedConfigRepository _repository;
    private readonly AcceptedConfigJournal? _journal;
    private readonly RejectedSources _rejected = new();
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigStore> _logger;

    private ImmutableSortedDictionary<string, string> _acceptedFiles = NoFiles;
    private ImmutableSortedDictionary<string, string>? _diskFiles;
    private ImmutableSortedDictionary<string, ConfigObject> _applied = ImmutableSortedDictionary.Create<string, ConfigObject>(StringComparer.Ordinal);
    private ConfigStoreModel _current = ConfigStoreModel.Empty;
    private ConfigRejection? _lastError;
    private bool _filesInSync = true;

    /// <param name="journal">Where accepted configurations are kept across restarts; null keeps none.</param>
    /// <param name="limits">Size limits per object and in total; null takes the defaults.</param>
    public ConfigStore(
        AppliedConfigRepository repository,
        AcceptedConfigJournal? journal,
        TimeProvider time,
        ILogger<ConfigStore> logger,
        string? configDirectory = null,
        ConfigSizeLimits? limits = null)
    {
        _compiler = new ConfigCompiler(limits ?? ConfigSizeLimits.Default);
        _repository = repository;
        _journal = journal;
        _time = time;
        _logger = logger;
        ConfigDirectory = configDirectory;
    }

    /// <summary>Raised after a new generation is published.</summary>
    public event Action? Changed;

    /// <summary>Raised after a change was refused (metrics).</summary>
    public event Action<ConfigRejection>? Rejected;

    public string? ConfigDirectory { get; }

    public ConfigStoreModel Current => Volatile.Read(ref _current);

    public ConfigStatusModel GetStatus()
    {
        var current = Current;
        return new ConfigStatusModel
        {
            Accepted = current.IsAccepted,
            Generation = current.Generation,
            ObjectCount = current.Entries.Count,
            AcceptedAt = current.IsAccepted ? current.AcceptedAt : null,
            AcceptedFrom = current.ChangeSource,
            ConfigDirectory = ConfigDirectory,
            FilesInSync = Volatile.Read(ref _filesInSync),
            Rejected = _rejected.Current,
            LastError = Volatile.Read(ref _lastError),
        };
    }

    /// <summary>
    /// Loads what was persisted before any source is read: the API objects (a file that no longer
    /// parses is moved aside and reported) and the last accepted configuration, which serves until
    /// the sources produce a newer one.
    /// </summary>
    public async Task LoadPersistedAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            LoadApplied();
            Restore();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The config directory's current files (relative path → text) after a change on disk; or the
    /// Kubernetes objects (origin → document), with <paramref name="leftOut"/> the objects the caller
    /// already refused on their own (reported as refused sources while this set serves).
    /// </summary>
    public async Task<ConfigChangeResult> UpdateFilesAsync(
        IReadOnlyDictionary<string, string> files, string source, CancellationToken cancellationToken, IReadOnlyList<ConfigError>? leftOut = null)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var disk = files.ToImmutableSortedDictionary(StringComparer.Ordinal);
            if (_diskFiles is not null && SameFiles(_diskFiles, disk))
            {
                if (Volatile.Read(ref _filesInSync))
                {
                    _rejected.SetFiles(_time.GetUtcNow(), leftOut ?? []);
                }

                ConfigStoreLog.Unchanged(_logger, source, Current.Generation);
                return Result(ConfigChangeOutcome.Unchanged, [], [], "the configuration files did not change");
            }

            _diskFiles = disk;
            var compiled = _compiler.Compile(disk, _applied);
            if (!compiled.IsValid)
            {
                Volatile.Write(ref _filesInSync, false);
                _rejected.SetFiles(_time.GetUtcNow(), compiled.Errors.Concat(leftOut ?? []));
                return Reject(source, compiled.Errors);
            }

            _acceptedFiles = disk;
            Volatile.Write(ref _filesInSync, true);
            _rejected.SetFiles(_time.GetUtcNow(), leftOut ?? []);
            return Accept(compiled, source, [.. compiled.Objects.Where(o => !_applied.ContainsKey(o.Key)).Select(o => o.Key)], "");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Creates or replaces the objects of a multi-document YAML body.</summary>
    public Task<ConfigChangeResult> ApplyAsync(string body, CancellationToken cancellationToken) => ApplyAsync(body, null, cancellationToken);

    /// <summary>Creates or replaces the objects of a multi-document YAML body in <paramref name="namespace"/> (kubectl's <c>-n</c>; null: their own or default).</summary>
    public async Task<ConfigChangeResult> ApplyAsync(string body, string? @namespace, CancellationToken cancellationToken)
    {
        const string Source = "api apply";
        var parsed = ConfigParser.Parse(body, ConfigOrigins.ApiRequest, @namespace);
        if (!parsed.Succeeded)
        {
            return Reject(Source, ConfigValidator.ValidateParsed(parsed));
        }

        if (parsed.Objects.Count == 0)
        {
            return Reject(Source, [new ConfigError(new ConfigSource(ConfigOrigins.ApiRequest, 1), null, null, "", "the request holds no objects")]);
        }

        var duplicates = parsed.Objects.GroupBy(o => o.Key).Where(g => g.Count() > 1)
            .Select(g => new ConfigError(g.ElementAt(1).Source, g.Key.Split('/')[0], g.First().Metadata.Name, "metadata.name",
                $"{g.Key} appears more than once in the request"))
            .ToList();
        if (duplicates.Count > 0)
        {
            return Reject(Source, duplicates);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Validate the request's objects as sent, so errors name the request's documents.
            var candidate = _applied.SetItems(parsed.Objects.Select(o => KeyValuePair.Create(o.Key, o)));
            var compiled = _compiler.Compile(_acceptedFiles, candidate);
            if (!compiled.IsValid)
            {
                return Reject(Source, compiled.Errors);
            }

            var objects = parsed.Objects.Select(AsApplied).ToList();
            var applied = _applied.SetItems(objects.Select(o => KeyValuePair.Create(o.Key, o)));
            compiled = compiled with { Objects = [.. compiled.Objects.Select(o => applied.TryGetValue(o.Key, out var a) ? a : o)] };

            foreach (var configObject in objects)
            {
                var yaml = ConfigSerializer.ToYaml(configObject);
                if (!_applied.TryGetValue(configObject.Key, out var previous) || ConfigSerializer.ToYaml(previous) != yaml)
                {
                    await _repository.SaveAsync(configObject, yaml, cancellationToken);
                }
            }

            var overridden = objects.Where(o => Current.Entries.TryGetValue(o.Key, out var e) && !e.IsFromApi)
                .Select(o => $"{o.Key} overrides the definition in file '{Current.Entries[o.Key].Source}'");
            _applied = applied;
            return Accept(compiled, Source, [.. objects.Select(o => o.Key)], string.Join("; ", overridden));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deletes API-applied objects. Nothing is deleted when any target is defined by a file
    /// (<see cref="ConfigChangeOutcome.Conflict"/>, naming the file) or does not exist
    /// (<see cref="ConfigChangeOutcome.NotFound"/>, unless <paramref name="ignoreNotFound"/>).
    /// </summary>
    public async Task<ConfigChangeResult> DeleteAsync(IReadOnlyList<ConfigObjectRef> targets, bool ignoreNotFound, CancellationToken cancellationToken)
    {
        const string Source = "api delete";
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entries = Current.Entries;
            var fileDefined = targets.Where(t => !_applied.ContainsKey(t.Key) && entries.TryGetValue(t.Key, out var e) && !e.IsFromApi)
                .Select(t => $"{t.Key} is defined in file '{entries[t.Key].Source}' of the config directory; edit or remove the file instead")
                .ToList();
            if (fileDefined.Count > 0)
            {
                return Result(ConfigChangeOutcome.Conflict, [], [], string.Join("; ", fileDefined));
            }

            var missing = targets.Where(t => !_applied.ContainsKey(t.Key)).Select(t => t.Key).Distinct().ToList();
            if (missing.Count > 0 && !ignoreNotFound)
            {
                return Result(ConfigChangeOutcome.NotFound, missing, [], $"not found: {string.Join(", ", missing)}");
            }

            var removed = targets.Where(t => _applied.ContainsKey(t.Key)).DistinctBy(t => t.Key).ToList();
            if (removed.Count == 0)
            {
                return Result(ConfigChangeOutcome.Unchanged, [], [], "nothing to delete");
            }

            var applied = _applied.RemoveRange(removed.Select(t => t.Key));
            var compiled = _compiler.Compile(_acceptedFiles, applied);
            if (!compiled.IsValid)
            {
                return Reject(Source, compiled.Errors);
            }

            foreach (var target in removed)
            {
                _repository.Delete(target.Kind, target.Namespace, target.Name);
            }

            _applied = applied;
            var revealed = removed.Where(t => compiled.Objects.Any(o => o.Key == t.Key))
                .Select(t => $"{t.Key}: the API override is removed; the definition in the config directory serves again");
            return Accept(compiled, Source, [.. removed.Select(t => t.Key)], string.Join("; ", revealed));
        }
        finally
        {
            _gate.Release();
        }
    }

    private void LoadApplied()
    {
        var applied = _applied.ToBuilder();
        foreach (var (path, text) in _repository.ReadAll())
        {
            var result = ConfigParser.Parse(text, path);
            if (!result.Succeeded || result.Objects.Count != 1)
            {
                var fileErrors = result.Succeeded
                    ? [new ConfigError(new ConfigSource(path, 1), null, null, "", $"expected exactly one object, found {result.Objects.Count}")]
                    : result.Errors;
                var target = _repository.Quarantine(path);
                ConfigStoreLog.Quarantined(_logger, path, target, string.Join("; ", fileErrors));
                _rejected.AddQuarantined(target, new ConfigRejection(_time.GetUtcNow(), target, fileErrors));
                continue;
            }

            var configObject = AsApplied(result.Objects[0]);
            applied[configObject.Key] = configObject;
        }

        _applied = applied.ToImmutable();
    }

    // The journaled inputs are compiled again (the same parser and validator as any change): a
    // record this version no longer accepts is reported and not served.
    private void Restore()
    {
        if (_journal?.Read() is not { } record)
        {
            return;
        }

        var source = $"last accepted configuration ({_journal.Path})";
        var applied = ImmutableSortedDictionary.CreateBuilder<string, ConfigObject>(StringComparer.Ordinal);
        var errors = new List<ConfigError>();
        foreach (var yaml in record.Applied)
        {
            var parsed = ConfigParser.Parse(yaml, source);
            errors.AddRange(parsed.Errors);
            foreach (var configObject in parsed.Objects)
            {
                applied[configObject.Key] = AsApplied(configObject);
            }
        }

        var files = record.Files.ToImmutableSortedDictionary(StringComparer.Ordinal);
        var compiled = _compiler.Compile(files, applied.ToImmutable());
        errors.AddRange(compiled.Errors);
        if (errors.Count > 0)
        {
            // Keep counting from the journaled generation, so generations never repeat across restarts.
            Volatile.Write(ref _current, ConfigStoreModel.Empty with { Model = new MeshModel(record.Generation, []) });
            _rejected.SetRestoreFailed(new ConfigRejection(_time.GetUtcNow(), source, errors));
            ConfigStoreLog.RestoreRejected(_logger, record.Generation, _journal.Path, errors.Count);
            return;
        }

        var entries = ConfigEntries.Restored(compiled, record);
        _acceptedFiles = files;
        var model = new ConfigStoreModel(
            new MeshModel(record.Generation, [.. compiled.Objects]), entries, record.AcceptedAt, $"{record.ChangeSource} (restored at start)")
        {
            IsAccepted = true,
            SourceBytes = compiled.SourceBytes,
        };
        Volatile.Write(ref _current, model);
        ConfigStoreLog.Restored(_logger, record.Generation, compiled.Objects.Count, _journal.Path);
        Changed?.Invoke();
    }

    // API objects are stored with origin "api": that is what listings show as their source.
    private static ConfigObject AsApplied(ConfigObject configObject) =>
        configObject with { Source = new ConfigSource(ConfigOrigins.Api, configObject.Source.DocumentIndex) };

    private static bool SameFiles(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b) =>
        a.Count == b.Count && a.All(f => b.TryGetValue(f.Key, out var text) && string.Equals(text, f.Value, StringComparison.Ordinal));

    private ConfigChangeResult Accept(CompiledConfig compiled, string source, IReadOnlyList<string> keys, string message)
    {
        Volatile.Write(ref _lastError, null); // superseded
        var current = Current;
        var now = _time.GetUtcNow();
        var generation = current.Generation + 1;
        var changed = compiled.Objects.Count != current.Entries.Count;
        if (!current.IsAccepted && !changed)
        {
            // The first accepted configuration is empty: it serves at generation 0 (nothing changed
            // since "no objects"), but it is accepted, so proxies now get it and the control plane is ready.
            generation = current.Generation;
            changed = true;
        }

        var entries = ConfigEntries.Next(current, compiled, generation, now, ref changed);

        if (!changed)
        {
            ConfigStoreLog.Unchanged(_logger, source, current.Generation);
            return Result(ConfigChangeOutcome.Unchanged, keys, [], message);
        }

        var model = new ConfigStoreModel(new MeshModel(generation, [.. compiled.Objects]), entries, now, source)
        {
            IsAccepted = true,
            SourceBytes = compiled.SourceBytes,
        };
        _journal?.TryWrite(AcceptedConfigRecord.Of(model, _acceptedFiles, _applied.Values));
        _rejected.SetRestoreFailed(null);
        Volatile.Write(ref _current, model);
        ConfigStoreLog.Accepted(_logger, generation, source, compiled.Objects.Count);
        Changed?.Invoke();
        return Result(ConfigChangeOutcome.Accepted, keys, [], message);
    }

    private ConfigChangeResult Reject(string source, IReadOnlyList<ConfigError> errors)
    {
        var rejection = new ConfigRejection(_time.GetUtcNow(), source, errors);
        Volatile.Write(ref _lastError, rejection);
        Rejected?.Invoke(rejection);
        ConfigStoreLog.Rejected(_logger, source, errors.Count, Current.Generation);
        foreach (var error in errors)
        {
            ConfigStoreLog.RejectionError(_logger, error.ToString());
        }

        return Result(ConfigChangeOutcome.Invalid, [], errors, $"rejected: {errors.Count} error(s); nothing changed");
    }

    private ConfigChangeResult Result(ConfigChangeOutcome outcome, IReadOnlyList<string> keys, IReadOnlyList<ConfigError> errors, string message) =>
        new(outcome, Current.Generation, keys, errors, message);
}
