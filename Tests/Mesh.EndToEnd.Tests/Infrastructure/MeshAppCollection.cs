namespace Mesh.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Every end-to-end test class joins this collection: the AppHost starts once for all of them
/// and the classes run one after another, so each test sees only its own config changes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MeshAppCollection : ICollectionFixture<MeshAppFixture>
{
    public const string Name = "Mesh AppHost";
}
