using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace RetryGuard.CodeFixes;

/// <summary>
/// The largest Retry-After a fixed retry sleeps for: a named field of the enclosing type,
/// <c>private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);</c> (the value of
/// <c>retryguard.max_retry_after</c>, passed by the rule), added once per type and Fix All batch. Where a field cannot
/// be added safely (no enclosing class, struct or record; a partial type; the name already taken) the duration is
/// written inline.
/// </summary>
internal sealed class RetryAfterCap
{
    public const string FieldName = "MaxRetryAfter";

    private readonly SyntaxEditor _editor;
    private readonly SemanticModel _model;
    private readonly Dictionary<TypeDeclarationSyntax, ExpressionSyntax> _byType = new();

    public RetryAfterCap(SyntaxEditor editor, SemanticModel model)
    {
        _editor = editor;
        _model = model;
    }

    public ExpressionSyntax For(SyntaxNode at, TimeSpan max, CancellationToken cancellationToken)
    {
        var type = at.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        if (type is null or InterfaceDeclarationSyntax)
        {
            return Duration(max);
        }

        if (_byType.TryGetValue(type, out var known))
        {
            return known;
        }

        var symbol = _model.GetDeclaredSymbol(type, cancellationToken);
        if (ExistingField(symbol, max, cancellationToken))
        {
            // A field this fix (or a previous run of it) wrote, with a cap no larger: reused.
            var existing = SyntaxFactory.IdentifierName(FieldName);
            _byType[type] = existing;
            return existing;
        }

        bool taken = symbol is null || symbol.DeclaringSyntaxReferences.Length != 1 ||
                     !_model.LookupSymbols(at.SpanStart, name: FieldName).IsEmpty ||
                     type.DescendantTokens().Any(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == FieldName);
        ExpressionSyntax cap;
        if (taken)
        {
            cap = Duration(max);
        }
        else
        {
            var field = SyntaxFactory.FieldDeclaration(
                    SyntaxFactory.VariableDeclaration(
                        Framework("TimeSpan"),
                        SyntaxFactory.SingletonSeparatedList(
                            SyntaxFactory.VariableDeclarator(FieldName).WithInitializer(SyntaxFactory.EqualsValueClause(Duration(max))))))
                .WithModifiers(SyntaxFactory.TokenList(
                    SyntaxFactory.Token(SyntaxKind.PrivateKeyword),
                    SyntaxFactory.Token(SyntaxKind.StaticKeyword),
                    SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword)))
                .WithAdditionalAnnotations(Formatter.Annotation);
            _editor.InsertMembers(type, 0, new[] { field });
            cap = SyntaxFactory.IdentifierName(FieldName);
        }

        _byType[type] = cap;
        return cap;
    }

    /// <summary><c>static readonly TimeSpan MaxRetryAfter = TimeSpan.FromX(constant)</c> of the type, at most <paramref name="max"/>.</summary>
    private bool ExistingField(INamedTypeSymbol? type, TimeSpan max, CancellationToken cancellationToken)
    {
        if (type?.GetMembers(FieldName).OfType<IFieldSymbol>().FirstOrDefault() is not { IsStatic: true, IsReadOnly: true } field ||
            field.Type.ToDisplayString() != "System.TimeSpan" || field.DeclaringSyntaxReferences.Length != 1 ||
            field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: InvocationExpressionSyntax call } ||
            call.ArgumentList.Arguments.Count != 1 || call.SyntaxTree != _model.SyntaxTree ||
            _model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol { IsStatic: true } factory ||
            factory.ContainingType?.ToDisplayString() != "System.TimeSpan" ||
            _model.GetConstantValue(call.ArgumentList.Arguments[0].Expression, cancellationToken) is not { HasValue: true, Value: { } value } ||
            value is string or bool or char)
        {
            return false;
        }

        double amount = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        double? ticks = factory.Name switch
        {
            "FromMilliseconds" => amount * TimeSpan.TicksPerMillisecond,
            "FromSeconds" => amount * TimeSpan.TicksPerSecond,
            "FromMinutes" => amount * TimeSpan.TicksPerMinute,
            _ => null,
        };
        return ticks is { } t && t >= 0 && t <= max.Ticks;
    }

    /// <summary><c>TimeSpan.FromSeconds(120)</c>, or milliseconds when the cap is not whole seconds.</summary>
    public static ExpressionSyntax Duration(TimeSpan max)
    {
        bool seconds = max.Ticks % TimeSpan.TicksPerSecond == 0;
        long amount = seconds ? (long)max.TotalSeconds : (long)max.TotalMilliseconds;
        return SyntaxFactory.InvocationExpression(
            RuntimeNames.Framework("System", "TimeSpan", seconds ? "FromSeconds" : "FromMilliseconds"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, Number(amount))))));
    }

    /// <summary>An int literal when the value fits (as the parser reads it), else a long one.</summary>
    private static SyntaxToken Number(long value) =>
        value is >= int.MinValue and <= int.MaxValue
            ? SyntaxFactory.Literal((int)value)
            : SyntaxFactory.Literal(value.ToString(CultureInfo.InvariantCulture) + "L", value);

    private static TypeSyntax Framework(string type) =>
        SyntaxFactory.QualifiedName(
                SyntaxFactory.AliasQualifiedName(SyntaxFactory.IdentifierName(SyntaxFactory.Token(SyntaxKind.GlobalKeyword)), SyntaxFactory.IdentifierName("System")),
                SyntaxFactory.IdentifierName(type))
            .WithAdditionalAnnotations(Simplifier.Annotation);
}
