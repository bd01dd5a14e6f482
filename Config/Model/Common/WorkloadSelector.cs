namespace Mesh.Config.Model.Common;

/// <summary>Istio's <c>istio.type.v1beta1.WorkloadSelector</c>: selects workloads by labels (policies, DestinationRule).</summary>
public sealed record WorkloadSelector
{
    public ValueMap<string> MatchLabels { get; init; } = ValueMap<string>.Empty;

    /// <summary>True when every selector label is present with the same value in <paramref name="labels"/>.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        MatchLabels.All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value);
}

/// <summary>Istio's <c>istio.type.v1beta1.PolicyTargetReference</c> (Gateway API / waypoint attachment).</summary>
public sealed record PolicyTargetReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }
}
