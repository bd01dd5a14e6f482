using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Infrastructure;
using Mesh.Testing.Config;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// The incremental stream (StreamDeltas) over a real gRPC connection, the proxy's side played by
/// the contract's assembler as the proxy uses it: every delta assembles to exactly the full
/// snapshot the control plane meant, changes made while a delta is unanswered merge into the
/// next, proxy-status follows the per-nonce answers, and a reconnecting proxy gets only what differs.
/// </summary>
public sealed class DeltaStreamTests
{
    private const string ProxyId = "reviews-v1";

    [Fact]
    public async Task Deltas_assemble_to_the_full_snapshot_merge_while_unanswered_and_resume_after_a_reconnect()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.ApplyAsync(Yaml.VirtualService("reviews"));
        var assembler = new SnapshotDeltaAssembler();
        var stream = await ConnectAsync(controlPlane, assembler);

        var first = await NextAsync(stream);
        Assert.Equal("", first.BaseVersion);
        Assert.Equal(ProxyId, first.Node.Id);
        var applied = assembler.Apply(first);
        assembler.Commit(applied);
        AssertIsWhatWasSent(controlPlane, applied.Snapshot);
        var connection = controlPlane.Service<ConnectedProxies>().Find(ProxyId)!;
        Assert.Equal(ProxySyncStatus.Pending, connection.GetStatus().Status);
        Assert.Equal(first.Version, connection.GetStatus().SentVersion);

        // Two changes while the first delta is unanswered wait for its answer and merge.
        await controlPlane.ApplyAsync(Yaml.VirtualService("reviews", subset: "v2"));
        var latest = await controlPlane.ApplyAsync(Yaml.VirtualService("reviews", subset: "v3"));
        await Poll.UntilAsync("the latest change waits for the proxy", () => connection.PendingConfigGeneration == latest);
        await AnswerAsync(stream, new Ack { Version = first.Version, Nonce = "stale" }); // not the delta in flight: ignored
        await AnswerAsync(stream, new Ack { Version = first.Version, Nonce = first.Nonce });

        var merged = await NextAsync(stream);
        Assert.Equal(first.Version, merged.BaseVersion);
        Assert.Equal(latest, merged.ConfigGeneration);
        Assert.Null(merged.Node); // only the first delta of a stream carries the node
        Assert.True(merged.Resources.Count < first.Resources.Count, "a change sends only the changed resources");
        applied = assembler.Apply(merged);
        assembler.Commit(applied);
        AssertIsWhatWasSent(controlPlane, applied.Snapshot);
        Assert.Equal(ProxyId, applied.Snapshot.Node.Id);
        await AnswerAsync(stream, new Ack { Version = merged.Version, Nonce = merged.Nonce });
        await Poll.UntilAsync("SYNCED to the merged delta", () => connection.GetStatus() is { Status: ProxySyncStatus.Synced } s && s.AckedVersion == merged.Version);
        var config = await controlPlane.Admin.GetJsonAsync($"/api/v1/proxies/{ProxyId}/config");
        Assert.Equal(merged.Version, config["version"]!.GetValue<string>()); // the config dump names what the proxy acknowledged

        // A delta the proxy cannot fit: it asks for a resync and is sent its complete state.
        await controlPlane.ApplyAsync(Yaml.VirtualService("reviews", subset: "v4"));
        var unfit = await NextAsync(stream);
        await AnswerAsync(stream, new Nack { Version = unfit.Version, Nonce = unfit.Nonce, Error = "does not fit", Resync = true });
        var complete = await NextAsync(stream);
        Assert.Equal("", complete.BaseVersion);
        Assert.Equal(unfit.Version, complete.Version);
        applied = assembler.Apply(complete);
        assembler.Commit(applied);
        AssertIsWhatWasSent(controlPlane, applied.Snapshot);
        await AnswerAsync(stream, new Ack { Version = complete.Version, Nonce = complete.Nonce });
        Assert.NotEqual(ProxySyncStatus.Nacked, connection.GetStatus().Status); // a resync is not a rejection

        // Reconnecting with what it holds: the control plane starts from there.
        stream.Dispose();
        stream = await ConnectAsync(controlPlane, assembler);
        var resumed = await NextAsync(stream);
        Assert.Equal(assembler.Version, resumed.BaseVersion);
        Assert.True(resumed.Resources.Count < complete.Resources.Count, "a reconnecting proxy gets only what differs");
        applied = assembler.Apply(resumed);
        assembler.Commit(applied);
        await AnswerAsync(stream, new Ack { Version = resumed.Version, Nonce = resumed.Nonce });
        // The ACK is recorded on the new stream's connection (looked up each time: the old stream
        // may still be ending). A push the reconnect's registration caused may follow it, so the
        // proof is the ACKed version, not SYNCED.
        await Poll.UntilAsync(
            "the reconnected stream to record the ACK",
            () => controlPlane.Service<ConnectedProxies>().Find(ProxyId)?.GetStatus() is { } s && s.AckedVersion == resumed.Version,
            () => controlPlane.Service<ConnectedProxies>().Find(ProxyId)?.GetStatus() is { } s ? $"{s.Status}, acked {s.AckedVersion}, sent {s.SentVersion}" : "not connected");
        stream.Dispose();
    }

    /// <summary>
    /// After a control-plane restart a proxy's Hello says what it holds (its version and every
    /// resource version); the restarted control plane, which remembers nothing of the stream, builds
    /// the same state from the same configuration and registry and sends only a header — no
    /// storm of complete snapshots — and the proxy's ACK of it makes it SYNCED.
    /// </summary>
    [Fact]
    public async Task After_a_control_plane_restart_a_proxy_that_says_what_it_holds_is_sent_nothing_but_a_header()
    {
        var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        try
        {
            await controlPlane.ApplyAsync(Yaml.VirtualService("reviews"));
            var assembler = new SnapshotDeltaAssembler();
            var stream = await ConnectAsync(controlPlane, assembler);
            // Until the proxy holds the state with its own registration (its endpoint in the registry cluster).
            SnapshotDelta held;
            ProxySnapshot holding;
            do
            {
                held = await NextAsync(stream);
                var applied = assembler.Apply(held);
                assembler.Commit(applied);
                holding = applied.Snapshot;
                await AnswerAsync(stream, new Ack { Version = held.Version, Nonce = held.Nonce });
            }
            while (!holding.Clusters.Any(c => c.Endpoints.Any(e => e.NodeId == ProxyId)));

            // The restart ends the stream (the registry journal, frozen at shutdown, still has the proxy).
            controlPlane = await controlPlane.RestartAsync();
            stream.Dispose();
            stream = await ConnectAsync(controlPlane, assembler);
            var resumed = await NextAsync(stream);
            Assert.Equal(held.Version, resumed.BaseVersion);
            Assert.Equal(held.Version, resumed.Version);
            Assert.Empty(resumed.Resources);
            Assert.Empty(resumed.Removed);
            Assert.Empty(resumed.Orders);
            Assert.Equal(ProxyId, resumed.Node.Id);
            assembler.Commit(assembler.Apply(resumed));
            await AnswerAsync(stream, new Ack { Version = resumed.Version, Nonce = resumed.Nonce });
            await Poll.UntilAsync(
                "SYNCED on the restarted control plane",
                () => controlPlane.Service<ConnectedProxies>().Find(ProxyId)?.GetStatus() is { Status: ProxySyncStatus.Synced } s && s.AckedVersion == held.Version);
            stream.Dispose();
        }
        finally
        {
            await controlPlane.DisposeAsync();
        }
    }

    /// <summary>
    /// A large delta goes compressed, once, to a proxy whose Hello accepts zlib, and as plain
    /// resources to one that does not; both assemble to what the control plane sent them, and a
    /// small change after it goes uncompressed.
    /// </summary>
    [Fact]
    public async Task A_large_delta_is_compressed_only_for_a_proxy_that_accepts_zlib_and_assembles_to_the_same_snapshot()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.ApplyAsync(ServiceEntryYaml.Many(120));

        var plainAssembler = new SnapshotDeltaAssembler();
        var plain = await ConnectAsync(controlPlane, plainAssembler, "plain-1", acceptZlib: false);
        var plainFirst = await NextAsync(plain);
        Assert.True(plainFirst.Compressed.IsEmpty);
        Assert.True(plainFirst.CalculateSize() > SnapshotDeltaPlan.CompressAbove, $"the mesh makes a first delta above the threshold ({plainFirst.CalculateSize()} bytes)");
        var plainSnapshot = plainAssembler.Apply(plainFirst).Snapshot;

        var zlibAssembler = new SnapshotDeltaAssembler();
        var zlib = await ConnectAsync(controlPlane, zlibAssembler, ProxyId, acceptZlib: true);
        var zlibFirst = await NextAsync(zlib);
        Assert.False(zlibFirst.Compressed.IsEmpty);
        Assert.Empty(zlibFirst.Resources);
        Assert.Equal(ProxyId, zlibFirst.Node.Id); // nonce and node stay outside, readable without expanding
        Assert.False(string.IsNullOrEmpty(zlibFirst.Nonce));
        Assert.True(zlibFirst.CalculateSize() * 4 < plainFirst.CalculateSize(), $"compressed {zlibFirst.CalculateSize()} bytes vs {plainFirst.CalculateSize()}");
        var applied = zlibAssembler.Apply(zlibFirst);
        zlibAssembler.Commit(applied);
        AssertIsWhatWasSent(controlPlane, applied.Snapshot);
        Assert.Equal(ExternalClusters(plainSnapshot), ExternalClusters(applied.Snapshot)); // the same mesh, only encoded differently
        await AnswerAsync(zlib, new Ack { Version = zlibFirst.Version, Nonce = zlibFirst.Nonce });

        await controlPlane.ApplyAsync(Yaml.VirtualService("reviews", subset: "v2"));
        var change = await NextAsync(zlib);
        Assert.True(change.Compressed.IsEmpty, "a small change is not compressed");
        Assert.NotEmpty(change.Resources);
        applied = zlibAssembler.Apply(change);
        zlibAssembler.Commit(applied);
        AssertIsWhatWasSent(controlPlane, applied.Snapshot);
        plain.Dispose();
        zlib.Dispose();
    }

    private static List<Cluster> ExternalClusters(ProxySnapshot snapshot) =>
        [.. snapshot.Clusters.Where(c => c.Service.EndsWith(".example.com", StringComparison.Ordinal))];

    private static async Task<AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta>> ConnectAsync(
        TestControlPlane controlPlane, SnapshotDeltaAssembler assembler, string proxyId = ProxyId, bool acceptZlib = false)
    {
        var stream = controlPlane.Discovery.StreamDeltas();
        var hello = new Hello { Node = TestProxy.NodeFor(proxyId), Version = assembler.Version, Resources = { assembler.Resources() } };
        if (acceptZlib)
        {
            hello.AcceptEncodings.Add(SnapshotDeltaCompression.Zlib);
        }

        await stream.RequestStream.WriteAsync(new ProxyMessage { Hello = hello });
        return stream;
    }

    private static async Task<SnapshotDelta> NextAsync(AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> stream)
    {
        using var cancel = new CancellationTokenSource(Poll.DefaultBudget);
        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token), "the control plane ended the stream");
        return stream.ResponseStream.Current;
    }

    private static Task AnswerAsync(AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> stream, Ack ack) =>
        stream.RequestStream.WriteAsync(new ProxyMessage { Ack = ack });

    private static Task AnswerAsync(AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> stream, Nack nack) =>
        stream.RequestStream.WriteAsync(new ProxyMessage { Nack = nack });

    /// <summary>
    /// The assembled snapshot is the full snapshot the control plane recorded as sent — version
    /// included: the config dump of a proxy on the incremental stream names the version it
    /// acknowledges (one version per snapshot on both streams).
    /// </summary>
    private static void AssertIsWhatWasSent(TestControlPlane controlPlane, ProxySnapshot assembled)
    {
        var connection = controlPlane.Service<ConnectedProxies>().Find(ProxyId)!;
        Assert.Equal(connection.LastSent, assembled);
        Assert.Equal(connection.GetStatus().SentVersion, connection.LastSent!.Version);
    }
}
