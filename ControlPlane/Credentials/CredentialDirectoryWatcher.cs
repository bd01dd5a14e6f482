using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Credentials;

/// <summary>
/// Reads the credential directory at start and again after every change under it (debounced, plus
/// a periodic re-read), so replacing a certificate's files reaches the gateways within a second —
/// as Istio pushes a renewed Kubernetes secret. The directory is created owner-only when missing.
/// </summary>
internal sealed partial class CredentialDirectoryWatcher : IHostedService, IAsyncDisposable
{
    private readonly CredentialStore _store;
    private readonly CredentialOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChangeDebouncer _debouncer;
    private FileSystemWatcher? _watcher;
    private ITimer? _rescan;

    public CredentialDirectoryWatcher(CredentialStore store, IOptions<CredentialOptions> options, TimeProvider time, ILogger<CredentialDirectoryWatcher> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _debouncer = new ChangeDebouncer(
            new ChangeDebouncerOptions(_options.FileDebounce, _options.FileDebounce * 10) { TimeProvider = time },
            _ => Task.FromResult(_store.Reload()),
            ex => LogReloadFailed(_logger, ex));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_store.Directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(_store.Directory);
            }
            else
            {
                // Private keys live here.
                Directory.CreateDirectory(_store.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        _watcher = new FileSystemWatcher(_store.Directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnEvent;
        _watcher.Created += OnEvent;
        _watcher.Deleted += OnEvent;
        _watcher.Renamed += OnEvent;
        _watcher.Error += (_, e) =>
        {
            LogWatcherError(_logger, e.GetException());
            _debouncer.Notify();
        };
        _watcher.EnableRaisingEvents = true;

        _store.Reload();
        _debouncer.Start();
        if (_options.RescanInterval > TimeSpan.Zero)
        {
            _rescan = _time.CreateTimer(_ => _debouncer.Notify(), null, _options.RescanInterval, _options.RescanInterval);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        _rescan?.Dispose();
        _watcher?.Dispose();
        await _debouncer.DisposeAsync();
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _debouncer.Notify();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The credential directory watcher reported an error; re-reading the directory")]
    private static partial void LogWatcherError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-reading the credential directory failed")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
