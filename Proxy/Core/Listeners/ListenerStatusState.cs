using Mesh.Proxy.Core.Configuration;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>A listener the proxy was told to open and could not bind.</summary>
internal sealed record ListenerFailure(int Port, string Address, string Error, IReadOnlyList<string> GatewayServers);

/// <summary>
/// The listeners that failed to bind, as last determined (reported to the control plane, on the
/// admin <c>/listeners</c>, and in the log). Each change bumps <see cref="Version"/>.
/// </summary>
internal sealed class ListenerStatusState
{
    private readonly ChangeVersion _version = new();

    public IReadOnlyList<ListenerFailure> Failures { get; private set; } = [];

    public long Version => _version.Value;

    /// <summary>Replaces the failures; returns false when nothing changed.</summary>
    public bool Set(IReadOnlyList<ListenerFailure> failures) => _version.Change(() =>
    {
        if (failures.Count == Failures.Count && failures.Zip(Failures).All(p => p.First.Port == p.Second.Port && p.First.Error == p.Second.Error && p.First.GatewayServers.SequenceEqual(p.Second.GatewayServers)))
        {
            return false;
        }

        Failures = failures;
        return true;
    });

    /// <summary>Completes once <see cref="Version"/> differs from <paramref name="seen"/>.</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancellationToken) => _version.WaitForChangeAsync(seen, cancellationToken);
}
