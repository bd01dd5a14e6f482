namespace Mesh.Cli.Output;

/// <summary>kubectl's compact ages: 45s, 12m, 3h, 2d.</summary>
internal static class Age
{
    public static string Since(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is null)
        {
            return "-";
        }

        var age = now - time.Value;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 120 ? $"{(int)age.TotalSeconds}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
