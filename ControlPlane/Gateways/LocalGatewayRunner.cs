using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Security;
using Mesh.ControlPlane.Snapshots;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Gateways;

/// <summary>
/// Runs each Gateway API Gateway of the mesh's classes as a gateway proxy of its own, as Istio's
/// automated deployment gives each Gateway a Deployment: locally a child process of the control
/// plane running the gateway program (<see cref="GatewayProxyOptions.Program"/>), started when the
/// Gateway appears, restarted when its listener ports change or it exits (back-off), stopped when
/// the Gateway goes and when the control plane stops. Listener port <c>p</c> is served on
/// 127.0.0.1 at <see cref="GatewayProxyOptions.LocalPort"/>; status reports it in
/// <c>status.addresses</c>. A process left behind by a control plane that crashed is ended at the
/// next start (pid files in <c>&lt;data&gt;/gateways</c>).
/// </summary>
internal sealed partial class LocalGatewayRunner : IHostedService, IGatewayAddresses, IAsyncDisposable
{
    private readonly ConfigStore _store;
    private readonly WorkloadRegistry _registry;
    private readonly MeshSettingsState _settings;
    private readonly BootstrapKey _key;
    private readonly IControlPlaneEndpoint _endpoint;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly GatewayProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalGatewayRunner> _logger;
    private readonly string _pidDirectory;
    private readonly ChangeDebouncer _debouncer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, GatewayApiProblem>> _problems = new Dictionary<string, IReadOnlyDictionary<string, GatewayApiProblem>>();
    private IReadOnlyList<GatewayDeployment> _deployments = [];
    private bool _stopping;

    public LocalGatewayRunner(
        ConfigStore store, WorkloadRegistry registry, MeshSettingsState settings, BootstrapKey key, IControlPlaneEndpoint endpoint, IHostApplicationLifetime lifetime,
        IOptions<GatewayProxyOptions> options, IOptions<ControlPlaneOptions> controlPlane, TimeProvider time, ILogger<LocalGatewayRunner> logger)
    {
        _store = store;
        _registry = registry;
        _settings = settings;
        _key = key;
        _endpoint = endpoint;
        _lifetime = lifetime;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _pidDirectory = Path.Combine(Path.GetFullPath(controlPlane.Value.DataDirectory), "gateways");
        _debouncer = new ChangeDebouncer(new ChangeDebouncerOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)) { TimeProvider = time }, ReconcileAsync, ex => ReconcileFailed(_logger, ex));
    }

    public IReadOnlyList<GatewayStatusAddress> AddressesOf(string ns, string name)
    {
        var deployment = Volatile.Read(ref _deployments).FirstOrDefault(d => d.Namespace == ns && d.Name == name);
        if (deployment is null)
        {
            return [];
        }

        return
        [
            new GatewayStatusAddress("IPAddress", "127.0.0.1"),
            .. deployment.Ports.Select(p => GatewayStatusAddress.LocalPort(p.ListenerPort, $"127.0.0.1:{p.LocalPort}")),
        ];
    }

    public IReadOnlyDictionary<string, GatewayApiProblem> ListenerProblemsOf(string ns, string name) =>
        Volatile.Read(ref _problems).GetValueOrDefault($"{ns}/{name}") ?? new Dictionary<string, GatewayApiProblem>();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Program is null)
        {
            return Task.CompletedTask;
        }

        EndLeftovers();

        // The proxies need the discovery port, bound once the server has started (port 0 picks one).
        _lifetime.ApplicationStarted.Register(() =>
        {
            _store.Changed += _debouncer.Notify;
            // A listener's certificate (a credential) that appears makes it servable.
            _settings.Changed += _debouncer.Notify;
            _debouncer.Start();
            _debouncer.Notify();
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _store.Changed -= _debouncer.Notify;
        _settings.Changed -= _debouncer.Notify;
        await _debouncer.DisposeAsync();
        // Even a stop that is no longer graceful (its token canceled) must end the gateway
        // processes: they would keep their ports. A reconcile holds the gate only briefly.
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            _stopping = true;
            foreach (var key in _running.Keys.ToList())
            {
                Stop(key);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _debouncer.DisposeAsync();
        foreach (var running in _running.Values)
        {
            running.Process?.Dispose();
        }

        _gate.Dispose();
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_stopping)
            {
                return;
            }

            var graph = new SnapshotInputs(_store.Current.Model, _registry.Current, _settings.Current).GatewayApi;
            var (deployments, problems) = GatewayDeployments.Plan(graph, _options);
            Volatile.Write(ref _problems, problems);
            Volatile.Write(ref _deployments, deployments);
            foreach (var gone in _running.Keys.Where(k => deployments.All(d => d.Key != k)).ToList())
            {
                Stopping(_logger, gone);
                Stop(gone);
            }

            foreach (var deployment in deployments)
            {
                if (_running.TryGetValue(deployment.Key, out var running) && running.Deployment == deployment && running.Process is not null)
                {
                    continue;
                }

                if (running is not null)
                {
                    Stop(deployment.Key);
                }

                Start(deployment, TimeSpan.Zero);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Start(GatewayDeployment deployment, TimeSpan backoff)
    {
        var token = BootstrapToken.Mint(_key.Value ?? throw new InvalidOperationException("no bootstrap key: the control plane cannot give gateway proxies a credential"),
            deployment.Namespace, deployment.Workload, deployment.NodeId, _time.GetUtcNow());
        var process = GatewayProcess.Start(_options.Program!, deployment, _endpoint.Discovery, token, line => Output(_logger, deployment.Workload, line));
        var running = new Running(deployment, process, backoff);
        _running[deployment.Key] = running;
        WritePid(deployment, process.Id);
        Started(_logger, deployment.Key, process.Id, string.Join(", ", deployment.Ports.Select(p => $"{p.ListenerPort} on 127.0.0.1:{p.LocalPort}")));
        _ = WatchAsync(running);
    }

    // A process that ends while wanted is started again after a back-off that doubles (30 s at most).
    private async Task WatchAsync(Running running)
    {
        await running.Process!.Exited.ConfigureAwait(false);
        var delay = running.Backoff == TimeSpan.Zero ? _options.RestartDelay : TimeSpan.FromTicks(Math.Min(running.Backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_stopping || !_running.TryGetValue(running.Deployment.Key, out var current) || current != running)
            {
                return; // stopped on purpose, or replaced
            }

            Exited(_logger, running.Deployment.Key, running.Process.ExitCode, running.Process.LastErrors, delay);
            running.Process.Dispose();
            _running[running.Deployment.Key] = running with { Process = null };
        }
        finally
        {
            _gate.Release();
        }

        await Task.Delay(delay, _time).ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_stopping && _running.TryGetValue(running.Deployment.Key, out var current) && current.Process is null && current.Deployment == running.Deployment)
            {
                Start(running.Deployment, delay);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Stop(string key)
    {
        if (_running.Remove(key, out var running) && running.Process is { } process)
        {
            process.Dispose();
            File.Delete(PidFile(running.Deployment));
        }
    }

    private string PidFile(GatewayDeployment deployment) => Path.Combine(_pidDirectory, $"{deployment.Namespace}_{deployment.Name}.pid");

    private void WritePid(GatewayDeployment deployment, int pid)
    {
        Directory.CreateDirectory(_pidDirectory);
        File.WriteAllText(PidFile(deployment), $"{pid}\n{_options.Program}\n");
    }

    // Gateway processes of a control plane that did not stop cleanly still hold their ports.
    private void EndLeftovers()
    {
        if (!Directory.Exists(_pidDirectory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(_pidDirectory, "*.pid"))
        {
            var lines = File.ReadAllLines(file);
            if (lines.Length > 0 && int.TryParse(lines[0], out var pid) && LeftoverProcess.IsGateway(pid, _options.Program!))
            {
                LeftoverEnded(_logger, pid, Path.GetFileNameWithoutExtension(file));
                LeftoverProcess.End(pid);
            }

            File.Delete(file);
        }
    }

    private sealed record Running(GatewayDeployment Deployment, GatewayProcess? Process, TimeSpan Backoff);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {Gateway}: proxy started (pid {Pid}), listener ports {Ports}")]
    private static partial void Started(ILogger logger, string gateway, int pid, string ports);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {Gateway} is gone: its proxy is stopped")]
    private static partial void Stopping(ILogger logger, string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {Gateway}: proxy exited with code {Code} ({Errors}); starting it again in {Delay}")]
    private static partial void Exited(ILogger logger, string gateway, int code, string errors, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ended gateway process {Pid} ({Gateway}) left by an earlier control plane")]
    private static partial void LeftoverEnded(ILogger logger, int pid, string gateway);

    [LoggerMessage(Level = LogLevel.Debug, Message = "[{Workload}] {Line}")]
    private static partial void Output(ILogger logger, string workload, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling the gateways' proxies failed; the next configuration change tries again")]
    private static partial void ReconcileFailed(ILogger logger, Exception exception);
}
