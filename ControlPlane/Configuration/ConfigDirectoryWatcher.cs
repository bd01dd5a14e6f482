using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// Loads the store at start (persisted API objects, then the config directory) and keeps the
/// directory watched. Any file system event, whatever the file, schedules a debounced re-read of
/// the whole directory: editors that save through temp files and renames, and directories swapped
/// by symlink (Kubernetes ConfigMaps), then need no special cases, and an unchanged re-read costs
/// nothing (the store ignores identical content).
/// </summary>
internal sealed partial class ConfigDirectoryWatcher : IHostedService, IAsyncDisposable
{
    private readonly ConfigStore _store;
    private readonly ControlPlaneReadiness _readiness;
    private readonly ILogger<ConfigDirectoryWatcher> _logger;
    private readonly string? _directory;
    private readonly TimeProvider _time;
    private readonly ChangeDebouncer _debouncer;
    private readonly TimeSpan _rescanInterval;
    private FileSystemWatcher? _watcher;
    private ITimer? _rescan;

    public ConfigDirectoryWatcher(
        ConfigStore store, ControlPlaneReadiness readiness, IOptions<ControlPlaneOptions> options, TimeProvider time, ILogger<ConfigDirectoryWatcher> logger)
    {
        _store = store;
        _readiness = readiness;
        _logger = logger;
        _directory = store.ConfigDirectory;
        _time = time;
        _rescanInterval = options.Value.ConfigRescanInterval;
        var debounce = options.Value.FileDebounce;
        _debouncer = new ChangeDebouncer(
            new ChangeDebouncerOptions(debounce, debounce * 10) { TimeProvider = time },
            token => ReloadAsync("files", token),
            ex => LogReloadFailed(_logger, ex));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.LoadPersistedAsync(cancellationToken);
        if (_directory is not null)
        {
            if (!Directory.Exists(_directory))
            {
                LogCreatingDirectory(_logger, _directory);
                Directory.CreateDirectory(_directory);
            }

            // Watch before the first read so that a save during start-up is not missed.
            _watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Deleted += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.Error += OnError;
            _watcher.EnableRaisingEvents = true;
            LogWatching(_logger, _directory);
        }

        await ReloadAsync("startup", cancellationToken);
        _debouncer.Start();
        if (_directory is not null && _rescanInterval > TimeSpan.Zero)
        {
            _rescan = _time.CreateTimer(_ => _debouncer.Notify(), null, _rescanInterval, _rescanInterval);
        }
        _readiness.MarkConfigLoaded();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _rescan?.Dispose();
        _watcher?.Dispose();
        await _debouncer.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _rescan?.Dispose();
        _watcher?.Dispose();
        await _debouncer.DisposeAsync();
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _debouncer.Notify();

    private void OnError(object sender, ErrorEventArgs e)
    {
        // Typically an overflowed event buffer: events were lost, so re-read everything.
        LogWatcherError(_logger, e.GetException());
        _debouncer.Notify();
    }

    private async Task ReloadAsync(string source, CancellationToken cancellationToken)
    {
        var files = _directory is null ? [] : await ConfigDirectoryScanner.ScanAsync(_directory, cancellationToken);
        await _store.UpdateFilesAsync(files, source, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Directory} for configuration changes")]
    private static partial void LogWatching(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The config directory {Directory} did not exist; created it")]
    private static partial void LogCreatingDirectory(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The config directory watcher reported an error; re-reading the directory")]
    private static partial void LogWatcherError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-reading the config directory failed")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
