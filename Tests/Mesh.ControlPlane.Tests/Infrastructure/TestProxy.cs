using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Tests.Infrastructure;

/// <summary>A proxy's side of the discovery stream, driven by a test over a real gRPC connection.</summary>
public sealed class TestProxy : IAsyncDisposable
{
    private readonly MeshDiscovery.MeshDiscoveryClient _client;
    private AsyncDuplexStreamingCall<ProxyMessage, ProxySnapshot>? _call;

    public TestProxy(MeshDiscovery.MeshDiscoveryClient client, Node node)
    {
        _client = client;
        Node = node;
    }

    public Node Node { get; }

    public AsyncDuplexStreamingCall<ProxyMessage, ProxySnapshot> Call => _call ?? throw new InvalidOperationException("not connected");

    public static Node NodeFor(string id, Action<Node>? customize = null)
    {
        var node = new Node
        {
            Id = id,
            Workload = id,
            Namespace = "default",
            Mode = ProxyMode.Sidecar,
            Address = "127.0.0.1",
            ServiceAccount = "bookinfo-" + id,
            Labels = { ["app"] = id, ["version"] = "v1" },
        };
        customize?.Invoke(node);
        return node;
    }

    /// <summary>Opens the stream (with <paramref name="token"/> as its bearer credential, when given) and sends Hello.</summary>
    public async Task<TestProxy> ConnectAsync(string? token = null)
    {
        _call = _client.StreamSnapshots(token is null ? null : new Metadata { { "authorization", $"Bearer {token}" } });
        await _call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = Node } });
        return this;
    }

    /// <summary>The next pushed snapshot; fails the test if none arrives within the (CI-sized) budget.</summary>
    public async Task<ProxySnapshot> NextAsync()
    {
        using var cancel = new CancellationTokenSource(Poll.DefaultBudget);
        return await NextAsync(cancel.Token);
    }

    /// <summary>The first pushed snapshot that satisfies <paramref name="condition"/>, ACKing the ones before it as a proxy does.</summary>
    public async Task<ProxySnapshot> NextWhereAsync(Func<ProxySnapshot, bool> condition)
    {
        using var cancel = new CancellationTokenSource(Poll.DefaultBudget);
        while (true)
        {
            var snapshot = await NextAsync(cancel.Token);
            if (condition(snapshot))
            {
                return snapshot;
            }

            await AckAsync(snapshot.Version);
        }
    }

    /// <summary>The snapshot pushed within <paramref name="window"/>, or null: checks that nothing (more) is pushed.</summary>
    public async Task<ProxySnapshot?> NextOrNullAsync(TimeSpan window)
    {
        using var cancel = new CancellationTokenSource(window);
        try
        {
            return await NextAsync(cancel.Token);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
        {
            return null;
        }
    }

    private async Task<ProxySnapshot> NextAsync(CancellationToken cancellationToken)
    {
        if (!await Call.ResponseStream.MoveNext(cancellationToken))
        {
            throw new InvalidOperationException("the control plane ended the stream");
        }

        return Call.ResponseStream.Current;
    }

    public Task AckAsync(string version) => Call.RequestStream.WriteAsync(new ProxyMessage { Ack = new Ack { Version = version } });

    public Task NackAsync(string version, string error) =>
        Call.RequestStream.WriteAsync(new ProxyMessage { Nack = new Nack { Version = version, Error = error } });

    public async ValueTask DisposeAsync()
    {
        if (_call is not null)
        {
            try
            {
                await _call.RequestStream.CompleteAsync();
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException)
            {
            }

            _call.Dispose();
        }
    }
}
