using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// The syntax tests of <see cref="SyntaxTriggers"/> must be necessary conditions of the recognizer: every loop and
/// every <c>try</c> of a source is recognised directly from its operation tree, bypassing the triggers, and wherever
/// that finds a retry the trigger must have let the node through. Runs with <see cref="FixChecker"/> after every
/// analyzer and code-fix test, so every retry shape the tests know checks the triggers.
/// </summary>
internal static class TriggerChecker
{
    public static List<string> Problems(Compilation compilation)
    {
        var problems = new List<string>();
        var symbols = KnownSymbols.TryCreate(compilation);
        if (symbols is null)
        {
            return problems;
        }

        bool statusNamesAreFramework = SyntaxTriggers.StatusNamesAreFramework(compilation, CancellationToken.None);
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            var recognizer = new RetryRecognizer(symbols, other => other == tree ? model : compilation.GetSemanticModel(other));
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                var construct = model.GetOperation(node) switch
                {
                    ILoopOperation loop when node is StatementSyntax => recognizer.RecognizeLoop(loop),
                    ITryOperation attempt when attempt.Catches.Length > 0 => recognizer.RecognizeCatchRetry(attempt),
                    _ => null,
                };

                if (construct is not null && !SyntaxTriggers.IsRetryTrigger(node, () => statusNamesAreFramework))
                {
                    problems.Add($"SyntaxTriggers ruled out a retry the recognizer finds ({construct.Kind}) at {node.GetLocation().GetLineSpan()}:\n{node}");
                }
            }
        }

        return problems;
    }
}
