namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// Settings a proxy cannot run with, each error naming its setting (<c>Mesh:AdminPort</c>). The
/// proxy programs print the errors, one a line, and exit with 2 instead of a stack trace
/// (<see cref="Hosting.MeshProxyProgram"/>).
/// </summary>
public sealed class ProxySettingsException : Exception
{
    public ProxySettingsException(IReadOnlyList<string> errors)
        : base(string.Join(" ", errors ?? throw new ArgumentNullException(nameof(errors))))
    {
        Errors = errors;
    }

    /// <summary>One line per setting that is wrong.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>
    /// Runs <paramref name="bind"/>, a configuration binding: a value it cannot convert to its
    /// setting's type (a port that is no number, a name no enum member has) becomes this exception,
    /// with the binder's message, which names the setting, the value and the type.
    /// </summary>
    public static void Binding(Action bind)
    {
        ArgumentNullException.ThrowIfNull(bind);
        try
        {
            bind();
        }
        catch (InvalidOperationException ex)
        {
            throw new ProxySettingsException([ex.Message]);
        }
    }
}
