using System.Security.Cryptography;
using Google.Protobuf;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// The part of a node a snapshot depends on: everything but its id (which is only echoed back).
/// Proxies with equal shapes (the replicas of one workload) share one snapshot build.
/// </summary>
public static class NodeShape
{
    /// <summary>A copy of the node without its id, labels in ordinal order (the build input).</summary>
    public static Node Canonical(Node node)
    {
        var shape = node.Clone();
        shape.Id = "";
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
