using System.Security.Cryptography;
using Google.Protobuf;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Infrastructure;

/// <summary>
/// A small, deterministic stand-in for the production builder, so the discovery tests exercise
/// the push machinery independently of routing rules: one virtual host per config object, one
/// endpoint per registered workload, a content-hash version. Counts its builds.
/// </summary>
internal sealed class TestSnapshotBuilder : IProxySnapshotBuilder
{
    private int _builds;

    public int Builds => Volatile.Read(ref _builds);

    /// <summary>When set, builds for nodes with this workload name throw (a builder bug).</summary>
    public string? FailForWorkload { get; set; }

    public ProxySnapshot Build(SnapshotInputs inputs, Node node)
    {
        Interlocked.Increment(ref _builds);
        if (node.Workload == FailForWorkload)
        {
            throw new InvalidOperationException($"cannot build for {node.Workload}");
        }

        var snapshot = new ProxySnapshot { Node = node, TrustDomain = inputs.Settings.TrustDomain, ConfigGeneration = inputs.Model.Generation };
        foreach (var configObject in inputs.Model.Objects)
        {
            snapshot.VirtualHosts.Add(new VirtualHost { Name = configObject.Key, Domains = { configObject.SourceText } });
        }

        var cluster = new Cluster { Name = "registry" };
        foreach (var workload in inputs.Registry.Workloads)
        {
            cluster.Endpoints.Add(new Endpoint { NodeId = workload.Node.Id, Address = workload.Node.Address, Workload = workload.Node.Workload });
        }

        snapshot.Clusters.Add(cluster);
        var content = snapshot.Clone();
        content.ConfigGeneration = 0; // like the real builder: the version hashes content, not the generation
        snapshot.Version = Convert.ToHexString(SHA256.HashData(content.ToByteArray()))[..16];
        return snapshot;
    }
}
