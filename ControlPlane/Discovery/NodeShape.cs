using System.Security.Cryptography;
using Google.Protobuf;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// The part of a node a snapshot depends on. What only tells other proxies how to reach this one
/// — its id, address, admin port and inbound listener ports (they feed the registry's endpoints,
/// never this node's own build) — is left out, so the replicas of one workload have one shape and
/// share one snapshot build: 1,000 proxies of 100 workloads cost 100 builds per change, not 1,000.
/// Each proxy is still sent its own node with the shared build.
/// </summary>
internal static class NodeShape
{
    /// <summary>A copy of the node without its id, labels in ordinal order (the build input).</summary>
    public static Node Canonical(Node node)
    {
        var shape = node.Clone();
        shape.Id = "";
        shape.Address = "";
        shape.AdminPort = 0;
        foreach (var port in shape.Services.SelectMany(s => s.Ports))
        {
            port.InboundPort = 0;
        }

        if (shape.Labels.Count > 1)
        {
            var sorted = shape.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToArray();
            shape.Labels.Clear();
            foreach (var (key, value) in sorted)
            {
                shape.Labels.Add(key, value);
            }
        }

        return shape;
    }

    /// <summary>A stable key of the canonical node: equal keys mean equal builds.</summary>
    public static string Key(Node canonical) => Convert.ToHexString(SHA256.HashData(canonical.ToByteArray()));
}
