using System.Collections;

namespace Mesh.ControlPlane.Identity;

/// <summary>
/// A read-only list whose contents are produced on first access. <c>MeshSettings</c> is built
/// when services are constructed, before the CA may load its root (see <see cref="MeshCertificateAuthority"/>).
/// </summary>
internal sealed class LazyTrustBundle(Func<IReadOnlyList<string>> load) : IReadOnlyList<string>
{
    private readonly Lazy<IReadOnlyList<string>> _items = new(load, LazyThreadSafetyMode.ExecutionAndPublication);

    public string this[int index] => _items.Value[index];

    public int Count => _items.Value.Count;

    public IEnumerator<string> GetEnumerator() => _items.Value.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
