using System.Collections.Immutable;

namespace Mesh.Config.Model;

/// <summary>
/// The accepted mesh configuration at one point in time. Immutable: every accepted change
/// produces a new model with a higher <see cref="Generation"/>.
/// </summary>
public sealed class MeshModel
{
    public static MeshModel Empty { get; } = new(0, []);

    public MeshModel(long generation, ImmutableArray<ConfigObject> objects)
    {
        Generation = generation;
        Objects = objects;
    }

    public long Generation { get; }

    public ImmutableArray<ConfigObject> Objects { get; }
}
