using Google.Protobuf;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Snapshots;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// The incremental stream's two halves together, over the wire bytes: the control plane's delta
/// plans (<see cref="SnapshotDeltaPlan"/>) applied by the proxy's assembler
/// (<see cref="SnapshotDeltaAssembler"/>) give exactly the full snapshot of each state, and each
/// delta carries only what changed.
/// </summary>
public sealed class SnapshotDeltaTests
{
    private static readonly Node ProxyNode = TestProxy.NodeFor("reviews-v1");

    [Fact]
    public void Applying_a_sequence_of_deltas_gives_the_full_snapshot_of_every_state()
    {
        var states = new List<ProxySnapshot>
        {
            Snapshot(clusters: [("a", 2), ("b", 1), ("c", 3)], hosts: ["a", "b", "c"], trustDomain: "cluster.local"),
            Snapshot(clusters: [("a", 2), ("b", 4), ("c", 3)], hosts: ["a", "b", "c"], trustDomain: "cluster.local"),   // endpoints of b
            Snapshot(clusters: [("d", 1), ("a", 2), ("c", 3)], hosts: ["c", "a", "d"], trustDomain: "cluster.local"),   // b gone, d new, reordered
            Snapshot(clusters: [("d", 1), ("a", 2), ("c", 3)], hosts: ["c", "a", "d"], trustDomain: ""),                // a single field unset
            Snapshot(clusters: [("d", 1), ("d", 2)], hosts: ["d", "d"], trustDomain: "example.org"),                    // duplicate names stay distinct
            new ProxySnapshot(),                                                                                       // everything removed
            Snapshot(clusters: [("a", 1)], hosts: ["a"], trustDomain: "cluster.local"),
        };

        var plans = new SnapshotDeltaPlans();
        var assembler = new SnapshotDeltaAssembler();
        var held = ResourceView.Empty;
        var generation = 0;
        foreach (var state in states)
        {
            generation++;
            var target = EncodedSnapshot.Of(state);
            var delta = Wire(plans.Get(held, target, generation), $"{generation}", generation == 1 ? ProxyNode : null);
            var applied = assembler.Apply(delta);
            assembler.Commit(applied);
            held = ResourceView.Of(target);

            var expected = state.Clone();
            expected.Version = target.Version;
            expected.Node = ProxyNode;
            expected.ConfigGeneration = generation;
            Assert.Equal(expected, applied.Snapshot);
            Assert.Equal(target.Version, assembler.Version);
        }
    }

    [Fact]
    public void An_endpoint_change_sends_only_that_cluster_s_endpoints_and_an_unchanged_state_sends_nothing()
    {
        var before = EncodedSnapshot.Of(Snapshot(clusters: [("a", 2), ("b", 1)], hosts: ["a", "b"], trustDomain: "cluster.local"));
        var after = EncodedSnapshot.Of(Snapshot(clusters: [("a", 2), ("b", 5)], hosts: ["a", "b"], trustDomain: "cluster.local"));

        var delta = Wire(SnapshotDeltaPlan.Compute(ResourceView.Of(before), after, 2), "2", null);

        Assert.Equal([("endpoints", "outbound|9080||b.default.svc.cluster.local")], delta.Resources.Select(r => (r.Type, r.Name)));
        Assert.Empty(delta.Removed);
        Assert.Empty(delta.Orders);
        Assert.Equal(before.Version, delta.BaseVersion);

        var same = Wire(SnapshotDeltaPlan.Compute(ResourceView.Of(after), after, 2), "3", null);
        Assert.Empty(same.Resources);
        Assert.Equal(same.BaseVersion, same.Version);
    }

    [Fact]
    public void A_reconnecting_proxy_that_says_what_it_holds_gets_only_what_differs()
    {
        var first = Snapshot(clusters: [("a", 2), ("b", 1)], hosts: ["a", "b"], trustDomain: "cluster.local");
        var assembler = new SnapshotDeltaAssembler();
        assembler.Commit(assembler.Apply(Wire(SnapshotDeltaPlan.Compute(ResourceView.Empty, EncodedSnapshot.Of(first), 1), "1", ProxyNode)));

        var hello = new Hello { Node = ProxyNode, Version = assembler.Version, Resources = { assembler.Resources() } };
        var view = ResourceView.FromHello(hello);
        Assert.Equal(ResourceView.Of(EncodedSnapshot.Of(first)).Resources, view.Resources);

        var next = Snapshot(clusters: [("a", 2), ("b", 1)], hosts: ["a", "b"], trustDomain: "example.org");
        var delta = Wire(SnapshotDeltaPlan.Compute(view, EncodedSnapshot.Of(next), 2), "1", ProxyNode);
        Assert.Equal([("trust_domain", "")], delta.Resources.Select(r => (r.Type, r.Name)));
        Assert.Equal("example.org", assembler.Apply(delta).Snapshot.TrustDomain);

        // A claim whose resources do not make its version counts as nothing held.
        hello.Resources.RemoveAt(0);
        Assert.Same(ResourceView.Empty, ResourceView.FromHello(hello));
    }

    [Fact]
    public void The_composite_version_is_the_hash_of_every_resource_s_type_name_and_version_in_order()
    {
        // The proxy checks what it assembled against this version, so its definition must not
        // move: SHA-256 over (UTF-8 length, UTF-8 bytes) of type, name and version per resource.
        var resources = Enumerable.Range(0, 3000)
            .Select(i => (new SnapshotResourceKey(i % 3 == 0 ? "clusters" : "virtual_hosts", $"outbound|9080||svc-{i}.default.svc.cluster.local é"), $"{i:x16}"))
            .ToList();

        using var reference = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (key, version) in resources)
        {
            foreach (var text in new[] { key.Type, key.Name, version })
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                reference.AppendData(BitConverter.GetBytes(bytes.Length));
                reference.AppendData(bytes);
            }
        }

        Assert.Equal(Convert.ToHexStringLower(reference.GetHashAndReset()[..8]), SnapshotResources.CompositeVersion(resources));
        Assert.NotEqual(SnapshotResources.CompositeVersion(resources), SnapshotResources.CompositeVersion(resources.Take(2999)));
        Assert.Equal(SnapshotResources.CompositeVersion([]), SnapshotResources.CompositeVersion([]));
    }

    [Fact]
    public void Snapshots_sharing_a_list_or_only_its_first_elements_are_each_encoded_as_their_own_content()
    {
        // Shapes share their outbound lists (the same objects): the encoding of a shared list is
        // reused, and a list that shares only its first element (a locality-weighted copy further
        // on, a duplicate name) is still cut from its own elements.
        var template = Snapshot(clusters: [("a", 2), ("b", 1), ("c", 1)], hosts: ["a", "b"], trustDomain: "cluster.local");
        ProxySnapshot Sharing(Action<ProxySnapshot> change)
        {
            var snapshot = new ProxySnapshot { TrustDomain = "cluster.local" };
            snapshot.Clusters.Add(template.Clusters);
            snapshot.VirtualHosts.Add(template.VirtualHosts);
            change(snapshot);
            return snapshot;
        }

        var copy = template.Clusters[1].Clone();
        copy.Endpoints[0].Weight = 7;
        var snapshots = new[]
        {
            template,
            Sharing(_ => { }),
            Sharing(s => s.Clusters[1] = copy),
            Sharing(s => s.Clusters.RemoveAt(2)),
            Sharing(s => s.VirtualHosts.Add(template.VirtualHosts[0])),
            Sharing(s => s.TrustDomain = "example.org"),
        };
        foreach (var snapshot in snapshots)
        {
            var encoded = EncodedSnapshot.Of(snapshot);
            var parts = SnapshotResources.Split(snapshot);
            Assert.Equal(parts.Select(p => p.Key), encoded.Resources.Select(r => r.Key));
            Assert.Equal(parts.Select(p => SnapshotResources.VersionOf(p.Body().ToByteArray())), encoded.Resources.Select(r => r.Version));
            Assert.Equal(SnapshotResources.CompositeVersion(encoded.Resources.Select(r => (r.Key, r.Version))), encoded.Version);
        }

        Assert.Equal(EncodedSnapshot.Of(snapshots[0]).Version, EncodedSnapshot.Of(snapshots[1]).Version);
        Assert.Equal(snapshots.Length - 1, snapshots.Select(s => EncodedSnapshot.Of(s).Version).Distinct().Count());
    }

    [Fact]
    public void Hundreds_of_lists_that_share_their_first_element_are_each_encoded_as_their_own_content_again_and_again()
    {
        // One Sidecar per workload: every scope's list starts with the service all scopes import,
        // then differs. Each list keeps its own cut (found by its elements, not by its first one),
        // more of them than the runs keep pushes the oldest out, and none is ever taken for another.
        var shared = Snapshot(clusters: [("shared", 2)], hosts: ["shared"], trustDomain: "cluster.local");
        var others = Snapshot(clusters: [.. Enumerable.Range(0, 6000).Select(i => ($"svc-{i}", 1))], hosts: [], trustDomain: "cluster.local");
        ProxySnapshot Scope(int i)
        {
            var snapshot = new ProxySnapshot { TrustDomain = "cluster.local" };
            snapshot.Clusters.Add(shared.Clusters[0]);
            snapshot.Clusters.Add(others.Clusters[i]);
            snapshot.Clusters.Add(others.Clusters[(i + 1) % others.Clusters.Count]);
            snapshot.VirtualHosts.Add(shared.VirtualHosts[0]);
            return snapshot;
        }

        string Expected(ProxySnapshot snapshot) =>
            SnapshotResources.CompositeVersion(SnapshotResources.Split(snapshot).Select(p => (p.Key, SnapshotResources.VersionOf(p.Body().ToByteArray()))));

        for (var round = 0; round < 2; round++)
        {
            var versions = new HashSet<string>(StringComparer.Ordinal);
            foreach (var i in round == 0 ? Enumerable.Range(0, others.Clusters.Count) : Enumerable.Range(0, others.Clusters.Count).Reverse())
            {
                // A fresh snapshot object per shape, as every build is: its encoding comes from the runs.
                var snapshot = Scope(i);
                var encoded = EncodedSnapshot.Of(snapshot);
                Assert.Equal(Expected(snapshot), encoded.Version);
                Assert.Equal(SnapshotResources.Split(snapshot).Select(p => p.Key), encoded.Resources.Select(r => r.Key));
                versions.Add(encoded.Version);
            }

            Assert.Equal(others.Clusters.Count, versions.Count);
        }

        // A list whose later element was replaced (endpoint churn) is not the list it was.
        var before = EncodedSnapshot.Of(Scope(5));
        var churned = Scope(5);
        churned.Clusters[1] = churned.Clusters[1].Clone();
        churned.Clusters[1].Endpoints.Add(new Endpoint { Address = "10.9.9.9", Port = 9080 });
        Assert.NotEqual(before.Version, EncodedSnapshot.Of(churned).Version);
        Assert.Equal(Expected(churned), EncodedSnapshot.Of(churned).Version);
    }

    [Fact]
    public void A_delta_that_does_not_fit_what_the_proxy_holds_is_refused_and_changes_nothing()
    {
        var first = EncodedSnapshot.Of(Snapshot(clusters: [("a", 2)], hosts: ["a"], trustDomain: "cluster.local"));
        var second = EncodedSnapshot.Of(Snapshot(clusters: [("a", 3)], hosts: ["a"], trustDomain: "cluster.local"));
        var assembler = new SnapshotDeltaAssembler();
        assembler.Commit(assembler.Apply(Wire(SnapshotDeltaPlan.Compute(ResourceView.Empty, first, 1), "1", ProxyNode)));

        var wrongBase = Wire(SnapshotDeltaPlan.Compute(ResourceView.Of(second), first, 2), "2", null);
        Assert.Contains("applies to version", Assert.Throws<InvalidDataException>(() => assembler.Apply(wrongBase)).Message);

        var tampered = Wire(SnapshotDeltaPlan.Compute(ResourceView.Of(first), second, 2), "3", null);
        tampered.Version = "0000000000000000";
        tampered.BaseVersion = first.Version;
        Assert.Contains("make version", Assert.Throws<InvalidDataException>(() => assembler.Apply(tampered)).Message);
        Assert.Equal(first.Version, assembler.Version);
    }

    [Fact]
    public void A_compressed_delta_expands_to_the_plain_one_and_bad_bytes_are_refused_as_not_fitting()
    {
        var clusters = Enumerable.Range(0, 200).Select(i => ($"svc-{i}", 4)).ToArray();
        var target = EncodedSnapshot.Of(Snapshot(clusters, hosts: ["svc-0"], trustDomain: "cluster.local"));
        var plan = SnapshotDeltaPlan.Compute(ResourceView.Empty, target, 7);
        Assert.True(plan.Body.Length > SnapshotDeltaPlan.CompressAbove);

        var plain = Wire(plan, "1", ProxyNode);
        var compressed = Wire(plan, "1", ProxyNode, acceptsZlib: true);
        Assert.Empty(compressed.Resources);
        Assert.Equal((plain.Version, plain.BaseVersion, plain.ConfigGeneration), (compressed.Version, compressed.BaseVersion, compressed.ConfigGeneration));
        Assert.Equal(plain, SnapshotDeltaCompression.Expand(compressed));
        Assert.Same(plain, SnapshotDeltaCompression.Expand(plain));
        Assert.Equal(new SnapshotDeltaAssembler().Apply(plain).Snapshot, new SnapshotDeltaAssembler().Apply(compressed).Snapshot);

        var small = SnapshotDeltaPlan.Compute(ResourceView.Empty, EncodedSnapshot.Of(Snapshot(clusters: [("a", 2)], hosts: ["a"], trustDomain: "cluster.local")), 1);
        Assert.True(Wire(small, "2", null, acceptsZlib: true).Compressed.IsEmpty, "a small delta goes as it is");

        var assembler = new SnapshotDeltaAssembler();
        var notZlib = compressed.Clone();
        notZlib.Compressed = ByteString.CopyFromUtf8("not zlib at all");
        Assert.Throws<InvalidDataException>(() => assembler.Apply(notZlib));

        var notADelta = compressed.Clone();
        notADelta.Compressed = ByteString.CopyFrom(SnapshotDeltaCompression.Compress([0xff, 0xff, 0xff, 0xff]));
        Assert.Throws<InvalidDataException>(() => assembler.Apply(notADelta));

        // A zlib bomb stops at the limit instead of filling the proxy's memory.
        var bomb = compressed.Clone();
        var huge = new SnapshotDelta { Compressed = ByteString.CopyFrom(new byte[SnapshotDeltaCompression.MaxExpandedBytes + 1]) }; // a valid message, all zeros
        bomb.Compressed = ByteString.CopyFrom(SnapshotDeltaCompression.Compress(huge.ToByteArray()));
        Assert.Contains("expands past", Assert.Throws<InvalidDataException>(() => assembler.Apply(bomb)).Message);
        Assert.Equal("", assembler.Version);
    }

    /// <summary>The delta exactly as a proxy receives it: the plan's shared bytes and this write's own fields, parsed.</summary>
    private static SnapshotDelta Wire(SnapshotDeltaPlan plan, string nonce, Node? node, bool acceptsZlib = false)
    {
        var payload = new DeltaPayload(plan, nonce, node, acceptsZlib);
        var delta = SnapshotDelta.Parser.ParseFrom([.. payload.Body, .. payload.Own]);
        Assert.Equal(payload.Length, delta.CalculateSize());
        return delta;
    }

    private static ProxySnapshot Snapshot((string Name, int Endpoints)[] clusters, string[] hosts, string trustDomain)
    {
        var snapshot = new ProxySnapshot { TrustDomain = trustDomain };
        foreach (var (name, endpoints) in clusters)
        {
            var cluster = new Cluster { Name = $"outbound|9080||{name}.default.svc.cluster.local", Service = $"{name}.default.svc.cluster.local", Port = 9080 };
            for (var i = 0; i < endpoints; i++)
            {
                cluster.Endpoints.Add(new Endpoint { Address = $"10.0.{i}.1", Port = 9080, Workload = name });
            }

            snapshot.Clusters.Add(cluster);
        }

        foreach (var host in hosts)
        {
            snapshot.VirtualHosts.Add(new VirtualHost { Name = $"{host}.default.svc.cluster.local:9080", Domains = { host }, Port = 9080 });
        }

        return snapshot;
    }
}
