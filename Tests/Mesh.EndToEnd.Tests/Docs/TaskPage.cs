namespace Mesh.EndToEnd.Tests.Docs;

/// <summary>
/// A page under docs/tasks/ as the docs harness reads it: every fenced <c>console</c> block is a
/// list of steps, a step being a <c>$ command</c> line (continued by a trailing backslash) and the
/// output lines under it until the next command. Other blocks are prose for the reader.
/// </summary>
public sealed record TaskPage(string Name, IReadOnlyList<TaskStep> Steps)
{
    public static TaskPage Parse(string name, string markdown)
    {
        var steps = new List<TaskStep>();
        var inConsole = false;
        var inOtherFence = false;
        string? command = null;
        var expected = new List<string>();
        var lineNumber = 0;
        var commandLine = 0;
        foreach (var raw in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (inConsole)
                {
                    Flush();
                    inConsole = false;
                }
                else if (inOtherFence)
                {
                    inOtherFence = false;
                }
                else if (line.Trim() == "```console")
                {
                    inConsole = true;
                }
                else
                {
                    inOtherFence = true;
                }

                continue;
            }

            if (!inConsole)
            {
                continue;
            }

            if (line.StartsWith("$ ", StringComparison.Ordinal))
            {
                Flush();
                command = line[2..];
                commandLine = lineNumber;
            }
            else if (command is not null && command.EndsWith('\\') && expected.Count == 0)
            {
                command = command[..^1] + "\n" + line;
            }
            else if (command is not null)
            {
                expected.Add(line);
            }
        }

        Flush();
        return new TaskPage(name, steps);

        void Flush()
        {
            if (command is not null)
            {
                steps.Add(new TaskStep(commandLine, command, [.. expected.Select(e => e.Trim()).Where(e => e.Length > 0)]));
            }

            command = null;
            expected.Clear();
        }
    }
}

/// <summary>One command of a page and the output the page says it prints (<c>...</c> stands for anything).</summary>
public sealed record TaskStep(int Line, string Command, IReadOnlyList<string> Expected)
{
    /// <summary>
    /// Whether <paramref name="output"/> is what the page shows: its non-empty lines, trimmed, are
    /// the expected lines in order; a line <c>...</c> stands for any number of lines and
    /// <c>...</c> inside a line for any text. No expected lines: any output.
    /// </summary>
    public bool Matches(string output)
    {
        if (Expected.Count == 0)
        {
            return true;
        }

        var actual = output.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return Match(0, 0);

        bool Match(int e, int a)
        {
            if (e == Expected.Count)
            {
                return a == actual.Count;
            }

            if (Expected[e] == "...")
            {
                for (var skip = a; skip <= actual.Count; skip++)
                {
                    if (Match(e + 1, skip))
                    {
                        return true;
                    }
                }

                return false;
            }

            return a < actual.Count && LineMatches(Expected[e], actual[a]) && Match(e + 1, a + 1);
        }
    }

    private static bool LineMatches(string expected, string actual)
    {
        var parts = expected.Split("...");
        if (parts.Length == 1)
        {
            return expected == actual;
        }

        if (!actual.StartsWith(parts[0], StringComparison.Ordinal) || !actual.EndsWith(parts[^1], StringComparison.Ordinal))
        {
            return false;
        }

        var at = parts[0].Length;
        foreach (var part in parts[1..^1])
        {
            var found = actual.IndexOf(part, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            at = found + part.Length;
        }

        return at <= actual.Length - parts[^1].Length;
    }
}
