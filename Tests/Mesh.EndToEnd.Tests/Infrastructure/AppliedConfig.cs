namespace Mesh.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Config a test applied through the admin API; disposing it deletes those objects again
/// (<c>await using var applied = await fixture.ApplyAsync(...)</c>), so the next test starts
/// from the AppHost's own configuration.
/// </summary>
public sealed class AppliedConfig(MeshAdminClient admin, string yaml, ConfigChange? change, int proxyCount) : IAsyncDisposable
{
    /// <summary>The admin API's answer (for meshctl apply: the generation it printed).</summary>
    public ConfigChange? Change { get; } = change;

    public string Yaml { get; } = yaml;

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var deleted = await admin.DeleteAsync(Yaml, timeout.Token);

        // Leave the mesh settled on the delete: every proxy SYNCED at its generation (a proxy the
        // delete did not change counts as soon as its unchanged build is done), so the next test
        // cannot meet a proxy still routing by this test's config.
        await admin.WaitForAllSyncedAsync(proxyCount, Poll.DefaultBudget, timeout.Token, atGeneration: deleted.Generation);
    }
}
