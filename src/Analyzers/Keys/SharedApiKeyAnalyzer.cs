using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Keys;

/// <summary>
/// RG0004: an API key written into source (a known provider format anywhere, or a random-looking secret that flows
/// into an authentication sink), or one key value in several environments' configuration files.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SharedApiKeyAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the environment variable a fix reads the key from (<c>OPENAI_API_KEY</c>).</summary>
    public const string VariableProperty = "Variable";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleCatalog.RG0004SharedApiKey);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var state = new CompilationState(context.Options);
        context.RegisterSyntaxTreeAction(state.AnalyzeTree);

        // A semantic model action, not a code block action: the analyzer driver then has no per-declaration work to
        // do for this analyzer, and a file without a random-looking literal costs one search of its text.
        context.RegisterSemanticModelAction(state.AnalyzeSinks);

        bool anyConfig = false;
        foreach (var file in context.Options.AdditionalFiles)
        {
            if (ConfigFile.Classify(file) is not null)
            {
                anyConfig = true;
                break;
            }
        }

        if (anyConfig)
        {
            context.RegisterAdditionalFileAction(state.AnalyzeConfigFile);
        }
    }

    private sealed class CompilationState
    {
        private readonly AnalyzerOptions _options;
        private readonly ConcurrentDictionary<string, IReadOnlyList<CustomKeyPattern>> _patterns = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<(SyntaxTree, int), bool> _reported = new();
        private readonly object _configGate = new();
        private List<ConfigFinding>? _configFindings;

        public CompilationState(AnalyzerOptions options) => _options = options;

        private IReadOnlyList<CustomKeyPattern> Patterns(AnalyzerConfigOptions config) =>
            config.TryGetValue(AnalyzerSettings.AdditionalKeyPatternsKey, out var text) && !string.IsNullOrWhiteSpace(text)
                ? _patterns.GetOrAdd(text, KeyCatalog.ParsePatterns)
                : Array.Empty<CustomKeyPattern>();

        private IReadOnlyList<CustomKeyPattern> Patterns(SyntaxTree tree) =>
            Patterns(_options.AnalyzerConfigOptionsProvider.GetOptions(tree));

        // ------------------------------------------------------------------ source: known formats anywhere

        /// <summary>
        /// The file's string literals of key length (found through its text, <see cref="SourceScan"/>): one in a
        /// known key format is reported wherever it is.
        /// </summary>
        public void AnalyzeTree(SyntaxTreeAnalysisContext context)
        {
            if (SourceScan.LongStringLiterals(context.Tree, SecretSpans.MinLength, context.CancellationToken) is not { } literals)
            {
                return;
            }

            var patterns = Patterns(context.Tree);
            foreach (var literal in literals)
            {
                if (KeyCatalog.MatchFormat(literal.Token.ValueText, patterns) is { } key && !Fixtures.IsMarked(literal))
                {
                    Report(context.ReportDiagnostic, literal, key);
                }
            }
        }

        // ------------------------------------------------------------------ source: random secrets in sinks

        /// <summary>
        /// A file's sinks. A sink is reported only for a random-looking string literal written in the same file
        /// (directly, or as the initial value of a local, field or property it names), so a sink is bound only when
        /// it covers such a literal or such a name: in most files there is none, and nothing is bound.
        /// </summary>
        public void AnalyzeSinks(SemanticModelAnalysisContext context)
        {
            var model = context.SemanticModel;
            var secrets = SecretSpans.Find(model.SyntaxTree, context.CancellationToken);
            if (secrets.IsEmpty)
            {
                return;
            }

            var sink = new Sink(context.ReportDiagnostic, context.CancellationToken);
            var root = model.SyntaxTree.GetRoot(context.CancellationToken);
            foreach (var node in root.DescendantNodesAndSelf(descendIntoChildren: child => secrets.AnyWithin(child.Span)))
            {
                SyntaxNode? bound = node switch
                {
                    ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or InvocationExpressionSyntax => node,
                    InitializerExpressionSyntax initializer when initializer.IsKind(SyntaxKind.ComplexElementInitializerExpression) => node,
                    AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) => node,

                    // A local's initializer belongs to its declarator; a field's and a property's initializer are
                    // operations of their own (IFieldInitializerOperation, IPropertyInitializerOperation).
                    VariableDeclaratorSyntax { Parent.Parent: not BaseFieldDeclarationSyntax } => node,
                    EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax or VariableDeclaratorSyntax { Parent.Parent: BaseFieldDeclarationSyntax } } => node,
                    _ => null,
                };

                if (bound is not null && secrets.AnyWithin(bound.Span) &&
                    model.GetOperation(bound, context.CancellationToken) is { } operation)
                {
                    AnalyzeSink(sink, operation);
                }
            }
        }

        private void AnalyzeSink(Sink context, IOperation operation)
        {
            switch (operation)
            {
                case IObjectCreationOperation creation:
                    AnalyzeCall(context, creation.Constructor, creation.Arguments);
                    break;
                case IInvocationOperation invocation:
                    AnalyzeCall(context, invocation.TargetMethod, invocation.Arguments);
                    break;
                case ISimpleAssignmentOperation assignment when MemberName(assignment.Target) is { } name && IsSinkName(name):
                    Check(context, assignment.Value);
                    break;
                case IFieldInitializerOperation field when field.InitializedFields.Length > 0 && IsSinkName(field.InitializedFields[0].Name):
                    Check(context, field.Value);
                    break;
                case IPropertyInitializerOperation property when property.InitializedProperties.Length > 0 && IsSinkName(property.InitializedProperties[0].Name):
                    Check(context, property.Value);
                    break;
                case IVariableDeclaratorOperation declarator when declarator.Initializer is { } initializer && IsSinkName(declarator.Symbol.Name):
                    Check(context, initializer.Value);
                    break;
            }
        }

        private void AnalyzeCall(Sink context, IMethodSymbol? method, ImmutableArray<IArgumentOperation> arguments)
        {
            if (method is null || arguments.IsDefaultOrEmpty)
            {
                return;
            }

            string typeName = method.ContainingType?.Name ?? string.Empty;
            if (method.MethodKind == MethodKind.Constructor)
            {
                if (typeName is "ApiKeyCredential" or "AzureKeyCredential" or "KeyCredential")
                {
                    Check(context, arguments[0].Value);
                    return;
                }

                if (typeName == "AuthenticationHeaderValue" && arguments.Length == 2 &&
                    arguments[0].Value.ConstantValue is { HasValue: true, Value: string scheme } &&
                    scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
                {
                    Check(context, ArgumentFor(arguments, 1));
                    return;
                }
            }
            else if (method.Name is "Add" or "TryAddWithoutValidation" or "Append" or "Set" &&
                     arguments.Length == 2 &&
                     ArgumentFor(arguments, 0)?.ConstantValue is { HasValue: true, Value: string header })
            {
                if (header.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    CheckBearer(context, ArgumentFor(arguments, 1));
                    return;
                }

                if (IsKeyHeader(header))
                {
                    Check(context, ArgumentFor(arguments, 1));
                    return;
                }
            }

            foreach (var argument in arguments)
            {
                if (argument.Parameter is { Type.SpecialType: SpecialType.System_String } parameter &&
                    Unwrap(argument.Value) is ILiteralOperation or ILocalReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation &&
                    IsSinkName(parameter.Name))
                {
                    Check(context, argument.Value);
                }
            }
        }

        /// <summary>The argument of the parameter at <paramref name="ordinal"/>, wherever a named argument put it.</summary>
        private static IOperation? ArgumentFor(ImmutableArray<IArgumentOperation> arguments, int ordinal)
        {
            foreach (var argument in arguments)
            {
                if (argument.Parameter?.Ordinal == ordinal)
                {
                    return argument.Value;
                }
            }

            return null;
        }

        private static bool IsKeyHeader(string header) =>
            header.Equals("api-key", StringComparison.OrdinalIgnoreCase) ||
            header.Equals("x-api-key", StringComparison.OrdinalIgnoreCase) ||
            header.Equals("x-goog-api-key", StringComparison.OrdinalIgnoreCase) ||
            header.Equals("Ocp-Apim-Subscription-Key", StringComparison.OrdinalIgnoreCase) ||
            header.Equals("x-auth-token", StringComparison.OrdinalIgnoreCase);

        /// <summary>"Bearer xyz", "Bearer " + x, $"Bearer {x}": the token part.</summary>
        private void CheckBearer(Sink context, IOperation? value)
        {
            value = Unwrap(value);
            switch (value)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } concat
                    when concat.LeftOperand.ConstantValue is { HasValue: true, Value: string left } && IsBearerPrefix(left):
                    Check(context, concat.RightOperand);
                    break;
                case IInterpolatedStringOperation interpolated when interpolated.Parts.Length == 2 &&
                    interpolated.Parts[0] is IInterpolatedStringTextOperation { Text.ConstantValue: { HasValue: true, Value: string text } } &&
                    IsBearerPrefix(text) &&
                    interpolated.Parts[1] is IInterpolationOperation interpolation:
                    Check(context, interpolation.Expression);
                    break;
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: string whole } } literal
                    when whole.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase):
                    string token = whole.Substring(7).Trim();
                    if (KeyCatalog.MatchFormat(token, Patterns(literal.Syntax.SyntaxTree)) is null &&
                        KeyCatalog.MatchHighEntropy(token) is { } key &&
                        !Fixtures.IsMarked(literal.Syntax))
                    {
                        Report(context.ReportDiagnostic, literal.Syntax, key);
                    }

                    break;
            }
        }

        private static bool IsBearerPrefix(string text) =>
            text.Equals("Bearer ", StringComparison.OrdinalIgnoreCase);

        /// <summary>Follows <paramref name="value"/> to a string literal in the same file and reports it if it is a random secret.</summary>
        private void Check(Sink context, IOperation? value)
        {
            if (value is null || Trace(Unwrap(value), value.Syntax.SyntaxTree, context.CancellationToken) is not { } literal)
            {
                return;
            }

            string text = literal.Token.ValueText;
            if (text.Length < 20 || KeyCatalog.MatchFormat(text, Patterns(literal.SyntaxTree)) is not null)
            {
                return; // Short, or a known format: the literal itself is reported.
            }

            if (KeyCatalog.MatchHighEntropy(text) is { } key && !Fixtures.IsMarked(literal))
            {
                Report(context.ReportDiagnostic, literal, key);
            }
        }

        private static IOperation? Unwrap(IOperation? value)
        {
            while (value is IConversionOperation or IParenthesizedOperation)
            {
                value = value is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)value).Operand;
            }

            return value;
        }

        /// <summary>A literal, or a local, field or property whose only value is a literal declared in the same file.</summary>
        private static LiteralExpressionSyntax? Trace(IOperation? value, SyntaxTree tree, CancellationToken cancellationToken)
        {
            ISymbol? symbol;
            switch (value)
            {
                case ILiteralOperation { Syntax: LiteralExpressionSyntax literal } when literal.IsKind(SyntaxKind.StringLiteralExpression):
                    return literal;
                case ILocalReferenceOperation local:
                    symbol = local.Local;
                    break;
                case IFieldReferenceOperation field when field.Field.IsConst || field.Field.IsReadOnly:
                    symbol = field.Field;
                    break;
                case IPropertyReferenceOperation property when property.Property.IsReadOnly && property.Property.Parameters.IsEmpty:
                    symbol = property.Property;
                    break;
                default:
                    return null;
            }

            if (symbol.DeclaringSyntaxReferences.Length != 1 || symbol.DeclaringSyntaxReferences[0].SyntaxTree != tree)
            {
                return null;
            }

            var declaration = symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
            ExpressionSyntax? initial = declaration switch
            {
                VariableDeclaratorSyntax declarator => declarator.Initializer?.Value,
                PropertyDeclarationSyntax property => property.Initializer?.Value ?? property.ExpressionBody?.Expression,
                _ => null,
            };

            while (initial is ParenthesizedExpressionSyntax parenthesized)
            {
                initial = parenthesized.Expression;
            }

            return initial is LiteralExpressionSyntax result && result.IsKind(SyntaxKind.StringLiteralExpression) ? result : null;
        }

        private static string? MemberName(IOperation target) => target switch
        {
            IPropertyReferenceOperation property => property.Property.Name,
            IFieldReferenceOperation field => field.Field.Name,
            ILocalReferenceOperation local => local.Local.Name,
            _ => null,
        };

        /// <summary>Names a credential, but not a bare "key" (dictionary keys, cache keys are not secrets).</summary>
        private static bool IsSinkName(string name) =>
            KeyNames.IsKeyLike(name) && !name.Equals("key", StringComparison.OrdinalIgnoreCase) && !name.Equals("keys", StringComparison.OrdinalIgnoreCase);

        private void Report(Action<Diagnostic> report, SyntaxNode literal, KeyMatch key)
        {
            if (!_reported.TryAdd((literal.SyntaxTree, literal.SpanStart), true))
            {
                return;
            }

            var properties = ImmutableDictionary<string, string?>.Empty.Add(VariableProperty, key.Variable);
            report(Diagnostic.Create(
                RuleCatalog.RG0004SharedApiKey,
                literal.GetLocation(),
                properties,
                key.Describe(),
                "is written in source code, so every environment that runs this build uses it",
                "read it with ApiKeys.Require(\"" + key.Variable + "\")"));
        }

        // ------------------------------------------------------------------ configuration files

        public void AnalyzeConfigFile(AdditionalFileAnalysisContext context)
        {
            if (ConfigFile.Classify(context.AdditionalFile) is null)
            {
                return;
            }

            List<ConfigFinding> findings;
            lock (_configGate)
            {
                findings = _configFindings ??= ConfigKeyScanner.Scan(
                    context.Options.AdditionalFiles,
                    file => Patterns(_options.AnalyzerConfigOptionsProvider.GetOptions(file)),
                    context.CancellationToken);
            }

            foreach (var finding in findings)
            {
                if (string.Equals(finding.Path, context.AdditionalFile.Path, StringComparison.Ordinal))
                {
                    context.ReportDiagnostic(Diagnostic.Create(RuleCatalog.RG0004SharedApiKey, finding.Location, finding.Key.Describe(), finding.Reason,
                        "set it per environment with user secrets or environment variables"));
                }
            }
        }
    }
}

/// <summary>Where a sink's findings go: the reporting callback and the cancellation of the analysis that found it.</summary>
internal readonly struct Sink
{
    public Sink(Action<Diagnostic> reportDiagnostic, CancellationToken cancellationToken)
    {
        ReportDiagnostic = reportDiagnostic;
        CancellationToken = cancellationToken;
    }

    public Action<Diagnostic> ReportDiagnostic { get; }

    public CancellationToken CancellationToken { get; }
}

/// <summary>
/// Where a file holds what a sink could report: each string literal that looks random (20+ characters; a whole
/// <c>"Bearer …"</c> value counts by its token), and each use of a name whose declaration is initialised with one
/// (a local, field or property: the sink checker follows those in the same file). Found through the file's text
/// (<see cref="SourceScan"/>), without binding; most files have none, and then nothing is allocated.
/// </summary>
internal sealed class SecretSpans
{
    private static readonly SecretSpans None = new(Array.Empty<int>(), Array.Empty<int>());

    private readonly int[] _starts;
    private readonly int[] _ends;

    private SecretSpans(int[] starts, int[] ends)
    {
        _starts = starts;
        _ends = ends;
    }

    /// <summary>The shortest value the sink checker reports.</summary>
    public const int MinLength = 20;

    public bool IsEmpty => _starts.Length == 0;

    /// <summary>The spans of <paramref name="tree"/>.</summary>
    public static SecretSpans Find(SyntaxTree tree, CancellationToken cancellationToken)
    {
        if (SourceScan.LongStringLiterals(tree, MinLength, cancellationToken) is not { } candidates)
        {
            return None;
        }

        List<SyntaxToken>? literals = null;
        HashSet<string>? carriers = null;
        foreach (var literal in candidates)
        {
            if (LooksRandom(literal.Token.ValueText))
            {
                (literals ??= new List<SyntaxToken>()).Add(literal.Token);
                if (CarrierName(literal) is { } name)
                {
                    (carriers ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
                }
            }
        }

        if (literals is null)
        {
            return None;
        }

        var root = tree.GetRoot(cancellationToken);
        var spans = new List<Microsoft.CodeAnalysis.Text.TextSpan>();
        foreach (var literal in literals)
        {
            spans.Add(literal.Span);
        }

        if (carriers is not null)
        {
            foreach (var token in root.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken) && token.Parent is IdentifierNameSyntax && carriers.Contains(token.ValueText))
                {
                    spans.Add(token.Span);
                }
            }
        }

        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var starts = new int[spans.Count];
        var ends = new int[spans.Count];
        for (int i = 0; i < spans.Count; i++)
        {
            starts[i] = spans[i].Start;
            ends[i] = spans[i].End;
        }

        return new SecretSpans(starts, ends);
    }

    /// <summary>True when one of the spans lies within <paramref name="span"/>.</summary>
    public bool AnyWithin(Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        if (_starts.Length == 0)
        {
            return false;
        }

        int index = Array.BinarySearch(_starts, span.Start);
        if (index < 0)
        {
            index = ~index;
        }

        // Spans do not nest (tokens), so the first one starting inside is the one that may also end inside.
        return index < _starts.Length && _ends[index] <= span.End;
    }

    /// <summary>What the sink checker could report: a random-looking value, or "Bearer " and one.</summary>
    private static bool LooksRandom(string value)
    {
        if (value.Length < 20)
        {
            return false;
        }

        if (KeyCatalog.MatchHighEntropy(value) is not null)
        {
            return true;
        }

        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) &&
               KeyCatalog.MatchHighEntropy(value.Substring(7).Trim()) is not null;
    }

    /// <summary>The local, field or property whose initial value the literal is (what the sink checker traces back to).</summary>
    private static string? CarrierName(LiteralExpressionSyntax literal)
    {
        SyntaxNode current = literal;
        while (current.Parent is ParenthesizedExpressionSyntax)
        {
            current = current.Parent;
        }

        return current.Parent switch
        {
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } => declarator.Identifier.ValueText,
            EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax property } => property.Identifier.ValueText,
            ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax property } => property.Identifier.ValueText,
            _ => null,
        };
    }
}

/// <summary>
/// Test fixtures marked as such: the literal is held by a name that says fake, dummy, mock, stub, sample, example,
/// placeholder or test, sits in a type named so, or its line carries a comment that says it is not a real key.
/// </summary>
internal static class Fixtures
{
    private static readonly string[] NameMarkers = { "fake", "dummy", "mock", "stub", "sample", "example", "placeholder", "test" };
    private static readonly string[] TypeMarkers = { "fake", "dummy", "mock", "stub" };
    private static readonly string[] CommentMarkers =
    {
        "fake", "dummy", "not a real", "not real", "test key", "test fixture", "fixture", "placeholder",
        "pragma: allowlist secret", "gitleaks:allow", "nosecret",
    };

    public static bool IsMarked(SyntaxNode literal)
    {
        for (var node = literal.Parent; node is not null; node = node.Parent)
        {
            string? name = node switch
            {
                VariableDeclaratorSyntax declarator => declarator.Identifier.ValueText,
                PropertyDeclarationSyntax property => property.Identifier.ValueText,
                ParameterSyntax parameter => parameter.Identifier.ValueText,
                AssignmentExpressionSyntax assignment => RightmostName(assignment.Left),
                _ => null,
            };

            if (name is not null && Contains(name, NameMarkers))
            {
                return true;
            }

            if (node is TypeDeclarationSyntax type && Contains(type.Identifier.ValueText, TypeMarkers))
            {
                return true;
            }

            if (node is StatementSyntax or MemberDeclarationSyntax && HasMarkerComment(node))
            {
                return true;
            }

            if (node is MemberDeclarationSyntax and not BaseTypeDeclarationSyntax)
            {
                // Past the member: only the names of the enclosing types still count.
                for (var outer = node.Parent; outer is not null; outer = outer.Parent)
                {
                    if (outer is TypeDeclarationSyntax enclosing && Contains(enclosing.Identifier.ValueText, TypeMarkers))
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        return false;
    }

    private static string? RightmostName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        _ => null,
    };

    private static bool HasMarkerComment(SyntaxNode node)
    {
        foreach (var trivia in node.GetLeadingTrivia())
        {
            if (IsMarkerComment(trivia))
            {
                return true;
            }
        }

        foreach (var trivia in node.GetLastToken().TrailingTrivia)
        {
            if (IsMarkerComment(trivia))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsMarkerComment(SyntaxTrivia trivia) =>
        trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia)
            ? Contains(trivia.ToString(), CommentMarkers)
            : false;

    private static bool Contains(string text, string[] markers)
    {
        foreach (var marker in markers)
        {
            if (text.IndexOf(marker, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
