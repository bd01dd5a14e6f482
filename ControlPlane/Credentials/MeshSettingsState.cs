using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Credentials;

/// <summary>
/// The <see cref="MeshSettings"/> snapshots are built with, renewed (a new instance, so cached
/// builds of the old one are not reused) whenever the credentials change. Each instance resolves
/// credential names against one immutable <see cref="CredentialSetModel"/>, which keeps a snapshot
/// build a pure function of its inputs.
/// </summary>
internal sealed class MeshSettingsState
{
    private readonly MeshSettings _base;
    private readonly CredentialStore _credentials;
    private readonly Lock _gate = new();
    private (MeshSettings Settings, long Version) _current;

    public MeshSettingsState(MeshSettings baseSettings, CredentialStore credentials)
    {
        _base = baseSettings;
        _credentials = credentials;
        var set = credentials.Current;
        _current = (Build(set), set.Version);
        credentials.Changed += OnCredentialsChanged;
    }

    public MeshSettings Current
    {
        get
        {
            lock (_gate)
            {
                return _current.Settings;
            }
        }
    }

    /// <summary>Raised after <see cref="Current"/> was replaced.</summary>
    public event Action? Changed;

    private void OnCredentialsChanged()
    {
        var set = _credentials.Current;
        lock (_gate)
        {
            // Reloads may report out of order; never go back to an older credential set.
            if (set.Version <= _current.Version)
            {
                return;
            }

            _current = (Build(set), set.Version);
        }

        Changed?.Invoke();
    }

    private MeshSettings Build(CredentialSetModel set) => _base with { CredentialLookup = set.Find };
}
