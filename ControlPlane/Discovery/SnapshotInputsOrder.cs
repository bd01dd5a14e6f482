namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Orders snapshot inputs by (model generation, registry version): a later push round always
/// compares greater than an earlier one.
/// </summary>
internal readonly record struct SnapshotInputsOrder(long Generation, long RegistryVersion) : IComparable<SnapshotInputsOrder>
{
    public int CompareTo(SnapshotInputsOrder other)
    {
        var byGeneration = Generation.CompareTo(other.Generation);
        return byGeneration != 0 ? byGeneration : RegistryVersion.CompareTo(other.RegistryVersion);
    }
}
