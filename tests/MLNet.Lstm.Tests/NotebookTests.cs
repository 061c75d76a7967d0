using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace MLNet.Lstm.Tests;

/// <summary>The example notebook runs top to bottom, so it never rots.</summary>
[TestClass]
public sealed partial class NotebookTests
{
    [TestMethod]
    public async Task EveryCellOfTheRepresentationsNotebookRuns()
    {
        string repository = typeof(NotebookTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepositoryRoot").Value!;
        var notebook = Notebook.Parse(await File.ReadAllTextAsync(Path.Combine(repository, "examples", "notebooks", "LstmRepresentations.ipynb")));
        using var kernel = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        var displayed = new List<string>();
        string previousDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(repository);
        try
        {
            int cell = 0;
            foreach (var element in notebook.Elements.Where(e => e.KernelName == "csharp"))
            {
                cell++;
                var result = await kernel.SendAsync(new SubmitCode(WithLocalReferences(element.Contents)));
                var failure = result.Events.OfType<CommandFailed>().FirstOrDefault();
                Assert.IsNull(failure, $"cell {cell} failed: {failure?.Message}");
                displayed.AddRange(result.Events.OfType<DisplayEvent>().SelectMany(e => e.FormattedValues).Select(v => v.Value));
            }
            Assert.AreEqual(4, cell);
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }

        Assert.AreEqual(2, displayed.Count(v => v.Contains("data:image/png;base64,", StringComparison.Ordinal)), "two projection plots");
        var accuracy = displayed.Select(v => AccuracyLine().Match(v)).Single(m => m.Success);
        Console.WriteLine(accuracy.Value);
        // Measured 98.0 % on 2026-11-25 (a random LSTM: 76.7 %); the margin is 4.5 of 150 test rows.
        Assert.IsGreaterThanOrEqualTo(95.0, double.Parse(accuracy.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), accuracy.Value);
        Assert.IsTrue(displayed.Any(v => v.Contains("Confusion table", StringComparison.Ordinal)), "a confusion matrix");
    }

    /// <summary>
    /// The notebook asks NuGet for its packages (#r "nuget: …"); here the test's own build of
    /// MLNet.Lstm and its dependencies stand in for them, referenced by path.
    /// </summary>
    private static string WithLocalReferences(string code)
    {
        if (!code.Contains("#r \"nuget:", StringComparison.Ordinal))
        {
            return code;
        }
        var assemblies = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("Microsoft.ML", StringComparison.Ordinal)
                || name is "MLNet.Lstm.dll" or "MLNet.Lstm.Evaluation.dll" || name.StartsWith("ScottPlot", StringComparison.Ordinal)
                || name.StartsWith("SkiaSharp", StringComparison.Ordinal)));
        return string.Join("\n", assemblies.Select(path => $"#r \"{path}\""));
    }

    [GeneratedRegex(@"Test accuracy: ([0-9.]+) %")]
    private static partial Regex AccuracyLine();
}
