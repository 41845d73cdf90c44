using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RetryGuard.CodeFixes;

/// <summary>Small facts about hand-written code that several loop fixes ask for.</summary>
internal static class SyntaxFlow
{
    /// <summary>The end of <paramref name="statement"/> may be reached (also when the analysis cannot tell).</summary>
    public static bool EndReachable(SemanticModel model, StatementSyntax statement)
    {
        var flow = model.AnalyzeControlFlow(statement);
        return flow is null || !flow.Succeeded || flow.EndPointIsReachable;
    }

    /// <summary><c>null</c> or <c>default</c> written as such: a local set to it holds no response.</summary>
    public static bool IsNullLiteral(ExpressionSyntax value) =>
        value.IsKind(SyntaxKind.NullLiteralExpression) || value.IsKind(SyntaxKind.DefaultLiteralExpression);
}
