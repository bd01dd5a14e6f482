using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>
/// Starts configurations side by side; one that cannot start is recorded with its reason (its
/// row says so) and the others run.
/// </summary>
public sealed class StartedScenarios
{
    public Dictionary<Scenario, string> Failures { get; } = [];

    /// <summary>The measured processes of each started configuration, for the results.</summary>
    public Dictionary<Scenario, IReadOnlyList<string>> ProcessNames { get; } = [];

    /// <summary>Starts each in turn; returns the ones that started.</summary>
    public async Task<List<T>> StartAllAsync<T>(RunContext run, SharedServices shared, IReadOnlyList<T> scenarios)
        where T : Scenario
    {
        foreach (var scenario in scenarios)
        {
            try
            {
                run.Log($"starting {scenario.Name}: {scenario.Title}");
                await scenario.StartAsync(run, shared);
                ProcessNames[scenario] = [.. scenario.Proxies.Select(p => p.Name)];
            }
            catch (Exception ex)
            {
                Failures[scenario] = ex.Message;
                run.Log($"  {scenario.Name} could not start: {ex.Message}");
                await scenario.StopAsync(run);
            }
        }

        return [.. scenarios.Where(s => !Failures.ContainsKey(s))];
    }
}
