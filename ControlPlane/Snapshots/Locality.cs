namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A workload's locality (region/zone/subzone) as Istio derives it: the pod label
/// <c>istio-locality</c> (<c>region.zone.subzone</c>, dots because labels have no slashes) wins over
/// the topology labels <c>topology.kubernetes.io/region</c>, <c>topology.kubernetes.io/zone</c> and
/// <c>topology.istio.io/subzone</c>; WorkloadEntry has its own <c>locality</c> field (<c>region/zone/subzone</c>).
/// </summary>
internal readonly record struct Locality(string Region, string Zone, string Subzone)
{
    public const string IstioLocalityLabel = "istio-locality";
    public const string RegionLabel = "topology.kubernetes.io/region";
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    public const string SubzoneLabel = "topology.istio.io/subzone";

    public static readonly Locality None = new("", "", "");

    public bool IsEmpty => Region.Length == 0 && Zone.Length == 0 && Subzone.Length == 0;

    public static Locality FromLabels(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(IstioLocalityLabel, out var label) && label.Length > 0 ? Parse(label.Replace('.', '/'))
        : new(labels.GetValueOrDefault(RegionLabel) ?? "", labels.GetValueOrDefault(ZoneLabel) ?? "", labels.GetValueOrDefault(SubzoneLabel) ?? "");

    /// <summary><c>region/zone/subzone</c>; missing parts are empty.</summary>
    public static Locality Parse(string? text)
    {
        var parts = (text ?? "").Split('/', 3);
        return new(parts[0], parts.Length > 1 ? parts[1] : "", parts.Length > 2 ? parts[2] : "");
    }

    /// <summary>The value of a topology label (<c>failoverPriority</c> names them like any label).</summary>
    public string? Label(string key) => key switch
    {
        RegionLabel => Region,
        ZoneLabel => Zone,
        SubzoneLabel => Subzone,
        _ => null,
    };

    /// <summary>
    /// Istio's <c>LocalityMatch</c>: whether this locality is in <paramref name="pattern"/>
    /// (<c>region[/zone[/subzone]]</c>, a part <c>*</c> matches any, missing parts match any).
    /// </summary>
    public bool Matches(string? pattern)
    {
        var rule = Parse(pattern);
        return (rule.Region == "*" || rule.Region == Region)
            && (rule.Zone is "*" or "" || rule.Zone == Zone)
            && (rule.Subzone is "*" or "" || rule.Subzone == Subzone);
    }

    public override string ToString() => IsEmpty ? "" : $"{Region}/{Zone}/{Subzone}".TrimEnd('/');
}
