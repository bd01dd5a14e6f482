using System.Collections.Immutable;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// The mesh's workloads, the one registry snapshot builders read, from one of two sources
/// (<see cref="WorkloadSource"/>). Locally each connected proxy registers its own workload
/// (<see cref="Register"/>). On Kubernetes the API server is the source: the workloads are the
/// pods behind each Service's EndpointSlices, replaced as a whole by the Kubernetes mode's watch
/// (<see cref="ReplaceSourced"/>), so every control-plane replica serves the same endpoints
/// whichever replica a proxy is connected to; a proxy's registration then only tracks its stream.
/// Registration and removal are O(log n); the immutable <see cref="RegistrySnapshot"/> is
/// materialized lazily, once per version, so a storm of thousands of connecting proxies does not
/// rebuild it on every join.
/// </summary>
internal sealed class WorkloadRegistry : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private ImmutableSortedDictionary<string, WorkloadRegistration> _byId =
        ImmutableSortedDictionary.Create<string, WorkloadRegistration>(StringComparer.Ordinal);
    private long _version;
    private RegistrySnapshot _snapshot = RegistrySnapshot.Empty;
    private ITimer? _forgetRemembered;
    private volatile bool _shuttingDown;
    private ImmutableArray<WorkloadInstance> _sourced = [];

    public WorkloadRegistry(TimeProvider time, WorkloadSource source = WorkloadSource.Proxies)
    {
        _time = time;
        Source = source;
    }

    public WorkloadSource Source { get; }

    /// <summary>Whether proxies' own registrations are the workloads (not the API server's view).</summary>
    private bool ProxiesAreSource => Source == WorkloadSource.Proxies;

    /// <summary>Raised after every registration or removal (outside the registry's lock).</summary>
    public event Action? Changed;

    public long Version => Volatile.Read(ref _version);

    public int Count => _byId.Count;

    /// <summary>The registry as of now; the same instance until the next change.</summary>
    public RegistrySnapshot Current
    {
        get
        {
            lock (_gate)
            {
                if (_snapshot.Version != _version)
                {
                    _snapshot = new RegistrySnapshot(_version, ProxiesAreSource ? [.. _byId.Values.Select(r => r.Instance)] : _sourced);
                }

                return _snapshot;
            }
        }
    }

    /// <summary>
    /// Registers a proxy's node. A node with an id already registered (a proxy that reconnected
    /// before its old stream ended) replaces the old registration.
    /// </summary>
    public WorkloadRegistration Register(Node node)
    {
        ArgumentException.ThrowIfNullOrEmpty(node.Id);
        var registration = new WorkloadRegistration(new WorkloadInstance(node, _time.GetUtcNow()));
        lock (_gate)
        {
            _byId = _byId.SetItem(node.Id, registration);
            if (!ProxiesAreSource)
            {
                return registration;
            }

            _version++;
        }

        Changed?.Invoke();
        return registration;
    }

    /// <summary>Whether <see cref="BeginShutdown"/> was called: the registry no longer loses workloads.</summary>
    public bool ShuttingDown => _shuttingDown;

    /// <summary>
    /// The control plane is stopping: every discovery stream is about to end, and not because its
    /// proxy went away. From now on removals are ignored, so the streams closing during shutdown
    /// neither push snapshots without their endpoints to the proxies still connected (whose calls
    /// would fail until the next control plane sends them back) nor reach the
    /// <see cref="RegistryJournal"/>, which must remember them for the next start.
    /// </summary>
    public void BeginShutdown() => _shuttingDown = true;

    /// <summary>
    /// Removes a registration when its stream ends; a no-op when a newer registration for the
    /// same id has replaced it, so a late-ending old stream cannot evict the reconnected proxy,
    /// and once the control plane is shutting down.
    /// </summary>
    public bool Remove(WorkloadRegistration registration)
    {
        var id = registration.Instance.Node.Id;
        lock (_gate)
        {
            if (_shuttingDown || !_byId.TryGetValue(id, out var current) || !ReferenceEquals(current, registration))
            {
                return false;
            }

            _byId = _byId.Remove(id);
            if (!ProxiesAreSource)
            {
                return true;
            }

            _version++;
        }

        Changed?.Invoke();
        return true;
    }

    /// <summary>
    /// Records the readiness the registration's sidecar reported for its app; false when it is
    /// unchanged or the registration was replaced or removed meanwhile.
    /// </summary>
    public bool SetReady(WorkloadRegistration registration, bool ready)
    {
        lock (_gate)
        {
            if (registration.Instance.Ready == ready
                || !_byId.TryGetValue(registration.Instance.Node.Id, out var current)
                || !ReferenceEquals(current, registration))
            {
                return false;
            }

            registration.Instance = registration.Instance with { Ready = ready };
            if (!ProxiesAreSource)
            {
                // The pod's readiness (its sidecar's /ready probe) reaches the EndpointSlice instead.
                return false;
            }

            _version++;
        }

        Changed?.Invoke();
        return true;
    }

    /// <summary>
    /// The API server's workloads (<see cref="WorkloadSource.ApiServer"/>) as of its watches:
    /// replaces them all; a no-op for the proxy-registered source.
    /// </summary>
    public void ReplaceSourced(ImmutableArray<WorkloadInstance> workloads)
    {
        lock (_gate)
        {
            if (ProxiesAreSource)
            {
                return;
            }

            _sourced = workloads;
            _version++;
        }

        Changed?.Invoke();
    }

    public WorkloadInstance? Find(string id) => _byId.TryGetValue(id, out var registration) ? registration.Instance : null;

    /// <summary>
    /// Re-adds workloads remembered from before a control-plane restart (see
    /// <see cref="RegistryJournal"/>) so the first snapshots pushed after the restart still carry
    /// every endpoint. A remembered workload is replaced when its proxy reconnects, and removed
    /// after <paramref name="gracePeriod"/> if it never does (the proxy went away meanwhile).
    /// </summary>
    public void Remember(IReadOnlyCollection<Node> nodes, TimeSpan gracePeriod)
    {
        if (nodes.Count == 0)
        {
            return;
        }

        var remembered = new List<WorkloadRegistration>(nodes.Count);
        lock (_gate)
        {
            foreach (var node in nodes)
            {
                if (string.IsNullOrEmpty(node.Id) || _byId.ContainsKey(node.Id))
                {
                    continue;
                }

                var registration = new WorkloadRegistration(new WorkloadInstance(node, _time.GetUtcNow()));
                _byId = _byId.SetItem(node.Id, registration);
                remembered.Add(registration);
            }

            _version++;
        }

        _forgetRemembered = _time.CreateTimer(_ => Forget(remembered), null, gracePeriod, Timeout.InfiniteTimeSpan);
        Changed?.Invoke();
    }

    public void Dispose() => _forgetRemembered?.Dispose();

    /// <summary>Registrations that are still the remembered ones (their proxies did not come back).</summary>
    private void Forget(List<WorkloadRegistration> remembered)
    {
        var removed = 0;
        lock (_gate)
        {
            foreach (var registration in remembered)
            {
                var id = registration.Instance.Node.Id;
                if (_byId.TryGetValue(id, out var current) && ReferenceEquals(current, registration))
                {
                    _byId = _byId.Remove(id);
                    removed++;
                }
            }

            if (removed > 0)
            {
                _version++;
            }
        }

        if (removed > 0)
        {
            Changed?.Invoke();
        }
    }
}
