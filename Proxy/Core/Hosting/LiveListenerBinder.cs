using System.Net;
using System.Net.Sockets;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// Opens and closes the gateway's live listeners (<see cref="RoutingModel.LiveListeners"/>) while
/// the proxy runs, through Kestrel's own endpoint reload: each live listener is an endpoint of a
/// configuration only this class writes, configured with the same connection stages as every other
/// listener. A port that cannot be bound (another process holds it, no permission) is reported —
/// on <see cref="ListenerStatusState"/> (sent to the control plane, shown on <c>/listeners</c>) and
/// in the log — and retried with every new snapshot and every <see cref="RetryInterval"/>; the rest
/// keeps serving. Listeners the configuration no longer names are closed (Kestrel lets their
/// connections finish for up to 5 s).
/// </summary>
internal sealed partial class LiveListenerBinder : IDisposable
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BindCheckTimeout = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly LiveListenerConfiguration _configuration = new();
    private readonly ListenerStatusState _status;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, MeshListener> _bound = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ListenerFailure> _failures = [];
    private KestrelConfigurationLoader? _loader;
    private IReadOnlyList<IListenerConfigurator> _configurators = [];
    private RoutingModel? _model;
    private ITimer? _retry;

    public LiveListenerBinder(ListenerStatusState status, RoutingState routing, IServiceProvider services, TimeProvider time, ILogger<LiveListenerBinder> logger)
    {
        _status = status;
        _services = services;
        _time = time;
        _logger = logger;
        routing.Published += Reconcile;
    }

    /// <summary>The configuration Kestrel reloads its live endpoints from (registered while Kestrel is configured).</summary>
    public IConfiguration Configuration => _configuration.Root;

    public void Attach(KestrelConfigurationLoader loader, IReadOnlyList<IListenerConfigurator> configurators)
    {
        _loader = loader;
        _configurators = configurators;
    }

    /// <summary>Makes the bound live listeners those of <paramref name="model"/>.</summary>
    public void Reconcile(RoutingModel model)
    {
        List<(MeshListener Listener, string Url)> added = [];
        lock (_gate)
        {
            if (_loader is null)
            {
                return;
            }

            _model = model;
            var desired = model.LiveListeners.ToDictionary(EndpointName, StringComparer.Ordinal);
            var ownPorts = _bound.Values.Select(l => l.ConfiguredPort).ToHashSet();
            _failures.Clear();
            foreach (var (name, listener) in desired)
            {
                if (_bound.ContainsKey(name))
                {
                    continue;
                }

                // A port this proxy holds itself is being rebound (its servers changed protocol).
                if (!ownPorts.Contains(listener.ConfiguredPort) && Probe(listener) is { } error)
                {
                    _failures[listener.ConfiguredPort] = Failure(listener, error, model);
                    continue;
                }

                var captured = listener;
                _loader.Endpoint(name, endpoint => KestrelListenerSetup.ConfigureListener(captured, endpoint.ListenOptions, _configurators));
                _bound[name] = listener;
                added.Add((listener, Url(listener)));
            }

            var removed = _bound.Keys.Where(name => !desired.ContainsKey(name)).ToList();
            foreach (var name in removed)
            {
                Log.Closing(_logger, _bound[name].ConfiguredPort);
                _bound.Remove(name);
            }

            if (added.Count > 0 || removed.Count > 0)
            {
                _configuration.Set(_bound.ToDictionary(b => b.Key, b => Url(b.Value), StringComparer.Ordinal));
            }

            PublishFailures();
        }

        if (added.Count > 0)
        {
            _ = ConfirmBoundAsync(added);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _retry?.Dispose();
            _retry = null;
        }
    }

    private static string EndpointName(MeshListener listener) => $"mesh-live-{listener.ConfiguredPort}-{listener.Protocol}";

    private static string Url(MeshListener listener) => listener.BindAddress.AddressFamily == AddressFamily.InterNetworkV6
        ? $"http://[{listener.BindAddress}]:{listener.ConfiguredPort}"
        : $"http://{listener.BindAddress}:{listener.ConfiguredPort}";

    /// <summary>
    /// Whether Kestrel lists <paramref name="listener"/> among its bound addresses. By address and
    /// port only: Kestrel names a listener whose connection stages include TLS (a gateway with TLS
    /// servers detects TLS on every listener) <c>https://</c>, whatever URL configured it.
    /// </summary>
    internal static bool IsListed(IEnumerable<string> boundAddresses, MeshListener listener) =>
        boundAddresses.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var uri)
            && uri.Port == listener.ConfiguredPort
            && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
            && address.Equals(listener.BindAddress));

    /// <summary>Whether the port can be bound now (Kestrel reports a failed reload bind only in its log).</summary>
    private static string? Probe(MeshListener listener)
    {
        try
        {
            using var socket = new Socket(listener.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(listener.BindAddress, listener.ConfiguredPort));
            return null;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "address already in use",
                SocketError.AccessDenied => "permission denied",
                SocketError.AddressNotAvailable => "address not available on this host",
                _ => ex.Message,
            };
        }
    }

    private static ListenerFailure Failure(MeshListener listener, string error, RoutingModel? model) => new(
        listener.ConfiguredPort,
        $"{listener.BindAddress}:{listener.ConfiguredPort}",
        error,
        [.. model?.Snapshot.GatewayServers.Where(s => s.Port == listener.ConfiguredPort).Select(s => s.Name) ?? []]);

    // Kestrel binds reloaded endpoints in the background; its server addresses list each one once bound.
    private async Task ConfirmBoundAsync(List<(MeshListener Listener, string Url)> added)
    {
        // Resolved late: the server is being built while Kestrel's options (and this binder) are configured.
        var server = (IServer?)_services.GetService(typeof(IServer));
        var addresses = server?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null)
        {
            return;
        }

        // Kestrel's background bind is real work: wait for it on the real clock, whatever clock the proxy's timers use.
        var clock = TimeProvider.System;
        var pending = added.ToList();
        var started = clock.GetTimestamp();
        while (pending.Count > 0 && clock.GetElapsedTime(started) < BindCheckTimeout)
        {
            string[] bound;
            try
            {
                bound = [.. addresses];
            }
            catch (InvalidOperationException)
            {
                bound = [];
            }

            pending.RemoveAll(p => IsListed(bound, p.Listener));
            if (pending.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), clock);
            }
        }

        lock (_gate)
        {
            foreach (var (listener, _) in added.Except(pending))
            {
                Log.Opened(_logger, listener.ConfiguredPort, listener.Protocol.ToString(), listener.BindAddress.ToString());
            }

            foreach (var (listener, _) in pending)
            {
                // Lost a race for the port after the probe: Kestrel logged why. Drop it and retry later.
                var name = EndpointName(listener);
                if (_bound.Remove(name))
                {
                    _failures[listener.ConfiguredPort] = Failure(listener, "Kestrel could not bind it (see its log)", _model);
                }
            }

            if (pending.Count > 0)
            {
                _configuration.Set(_bound.ToDictionary(b => b.Key, b => Url(b.Value), StringComparer.Ordinal));
                PublishFailures();
            }
        }
    }

    private void PublishFailures()
    {
        var failures = _failures.Values.OrderBy(f => f.Port).ToList();
        if (_status.Set(failures))
        {
            foreach (var failure in failures)
            {
                Log.BindFailed(_logger, failure.Address, failure.Error, string.Join(", ", failure.GatewayServers));
            }

            if (failures.Count == 0)
            {
                Log.AllBound(_logger);
            }
        }

        if (failures.Count > 0 && _retry is null)
        {
            _retry = _time.CreateTimer(_ => Retry(), null, RetryInterval, RetryInterval);
        }
        else if (failures.Count == 0 && _retry is not null)
        {
            _retry.Dispose();
            _retry = null;
        }
    }

    private void Retry()
    {
        RoutingModel? model;
        lock (_gate)
        {
            model = _model;
        }

        if (model is not null)
        {
            Reconcile(model);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Opened gateway listener on {Address}:{Port} ({Protocol}) for the Gateway servers on that port.")]
        public static partial void Opened(ILogger logger, int port, string protocol, string address);

        [LoggerMessage(2, LogLevel.Warning, "Cannot listen on {Address} for Gateway servers {Servers}: {Error}. The gateway keeps serving everything else and retries.")]
        public static partial void BindFailed(ILogger logger, string address, string error, string servers);

        [LoggerMessage(3, LogLevel.Information, "Closing gateway listener on port {Port}: no Gateway server uses it any more.")]
        public static partial void Closing(ILogger logger, int port);

        [LoggerMessage(4, LogLevel.Information, "Every gateway listener is bound.")]
        public static partial void AllBound(ILogger logger);
    }
}
