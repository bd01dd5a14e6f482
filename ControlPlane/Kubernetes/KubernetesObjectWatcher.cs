using k8s;
using k8s.Models;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Keeps every object of one built-in kind across all namespaces (EndpointSlices, Pods) as the
/// watch last reported it, by <c>namespace/name</c>, through the same <see cref="ListWatchLoop"/>
/// as the mesh's custom resources. <see cref="Changed"/> fires after every list and every event.
/// </summary>
internal sealed class KubernetesObjectWatcher<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private const int PageSize = 500;
    private readonly Lock _gate = new();
    private readonly ListWatchLoop _loop;
    private readonly ListPage _list;
    private readonly WatchFrom _watch;
    private readonly KubernetesOptions _options;
    private Dictionary<string, T> _objects = new(StringComparer.Ordinal);

    /// <summary>One page of the list: its items, its resource version and the token of the next page (null: last).</summary>
    public delegate Task<(IList<T> Items, string ResourceVersion, string? Continue)> ListPage(string? continueToken, int limit, CancellationToken cancellationToken);

    /// <summary>The watch from a resource version (bookmarks allowed, the options' server-side timeout).</summary>
    public delegate IAsyncEnumerable<(WatchEventType Type, T Object)> WatchFrom(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);

    public KubernetesObjectWatcher(string what, ListPage list, WatchFrom watch, KubernetesOptions options, TimeProvider time, ILogger logger)
    {
        What = what;
        _list = list;
        _watch = watch;
        _options = options;
        _loop = new ListWatchLoop(what, options, time, logger);
        Logger = logger;
    }

    public string What { get; }

    private ILogger Logger { get; }

    public event Action? Changed;

    /// <summary>Completes after the first list.</summary>
    public Task Listed => _loop.Listed;

    /// <summary>Every object as of now; the same instance until the next change.</summary>
    public IReadOnlyDictionary<string, T> Current
    {
        get
        {
            lock (_gate)
            {
                return _objects;
            }
        }
    }

    public Task RunAsync(CancellationToken stopping) => _loop.RunAsync(ListAsync, WatchAsync, () => Replace([]), stopping);

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var objects = new List<T>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var (items, version, next) = await _list(continueToken, PageSize, cancellationToken);
            objects.AddRange(items);
            resourceVersion = version;
            continueToken = string.IsNullOrEmpty(next) ? null : next;
        }
        while (continueToken is not null);

        Replace(objects);
        KubernetesLog.Listed(Logger, objects.Count, What, resourceVersion);
        return resourceVersion;
    }

    private async Task<(string? ResourceVersion, bool Expired)> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var errors = new WatchErrors();
        var current = resourceVersion;
        await foreach (var (type, value) in _watch(resourceVersion, (int)_options.WatchTimeout.TotalSeconds, errors.Record, cancellationToken).WithCancellation(cancellationToken))
        {
            current = value.Metadata?.ResourceVersion ?? current;
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified when value.Metadata?.Name is not null:
                    Update(objects => objects[KeyOf(value)] = value);
                    break;
                case WatchEventType.Deleted when value.Metadata?.Name is not null:
                    Update(objects => objects.Remove(KeyOf(value)));
                    break;
            }
        }

        errors.ThrowIfFailed(What);
        return (current, errors.Expired);
    }

    public static string KeyOf(T value) => $"{value.Metadata.NamespaceProperty}/{value.Metadata.Name}";

    private void Replace(IEnumerable<T> objects)
    {
        var replaced = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var value in objects.Where(o => o.Metadata?.Name is not null))
        {
            replaced[KeyOf(value)] = value;
        }

        lock (_gate)
        {
            _objects = replaced;
        }

        Changed?.Invoke();
    }

    // Copy on write: readers hold an immutable view without locking.
    private void Update(Action<Dictionary<string, T>> change)
    {
        lock (_gate)
        {
            var copy = new Dictionary<string, T>(_objects, StringComparer.Ordinal);
            change(copy);
            _objects = copy;
        }

        Changed?.Invoke();
    }
}
