using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0005 on a hand-written <c>while (true)</c> / <c>for (;;)</c> retry: adds an attempt cap, a local constant
/// (<c>const int MaxAttempts = 5;</c>) and a counter (<c>for (int attempt = 1; ; attempt++)</c>). After the last
/// attempt the failure leaves the loop the way the code's own non-retry path does:
/// <list type="bullet">
/// <item>exception retries (the body ends in a try whose block returns): each catch that loops back gets
/// <c>when (attempt &lt; MaxAttempts)</c>, so the last attempt's exception propagates;</item>
/// <item>status retries (one <c>if (ok) { ... return ...; }</c> exit and the failure path falls through to the
/// next attempt): the exit condition becomes <c>ok || attempt &gt;= MaxAttempts</c>, offered only when that exit
/// returns the response itself or calls <c>EnsureSuccessStatusCode()</c> first, so the last failure is returned
/// or thrown as an <c>HttpRequestException</c>, never passed off as a success.</item>
/// </list>
/// A <c>do { ... } while (true);</c> loop is the same retry and gets the same cap. A <c>goto</c> retry (a label on a
/// <c>try</c> whose catches jump back to it) keeps its shape: <c>int attempt = 1;</c> before the label, each catch that
/// jumps back gets <c>when (attempt &lt; MaxAttempts)</c> and counts the attempt before its <c>goto</c>.
/// A catch that retries by a final <c>continue</c> (<c>try { text = await ...; } catch (...) { ...; continue; } break;</c>)
/// gets the same filter, where every <c>continue</c> of the loop ends a catch of that one try and its success leaves the
/// loop. No fix for other shapes (other <c>continue</c> retries, several exits, recursion — bounding it would change the
/// method's signature — or a <c>goto</c> from anywhere else).
/// </summary>
public sealed class RG0005UnboundedLoopFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0005UnboundedCodeFix.EquivalenceKey;

    /// <summary>The attempt cap the fix writes (total attempts, the first one included).</summary>
    public const int DefaultMaxAttempts = 5;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0005Unbounded.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Plan.For(root, model, diagnostic, cancellationToken) is not null || GotoPlan.For(root, model, diagnostic) is not null
            ? $"Add an attempt cap ({DefaultMaxAttempts} attempts)"
            : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var model = editor.SemanticModel;
        var locals = new LocalNames(model);
        var retried = new HashSet<LabeledStatementSyntax>();
        foreach (var diagnostic in diagnostics)
        {
            if (Plan.For(editor.OriginalRoot, model, diagnostic, cancellationToken) is { } plan)
            {
                string cap = locals.Pick(plan.Loop, "MaxAttempts", "MaxRetryAttempts", cancellationToken);
                string counter = locals.Pick(plan.Loop, "attempt", "retryAttempt", cancellationToken);
                plan.Apply(editor, cap, counter);
            }
            else if (GotoPlan.For(editor.OriginalRoot, model, diagnostic) is { } jump && retried.Add(jump.Labeled))
            {
                string cap = locals.Pick(jump.Labeled, "MaxAttempts", "MaxRetryAttempts", cancellationToken);
                string counter = locals.Pick(jump.Labeled, "attempt", "retryAttempt", cancellationToken);
                jump.Apply(editor, cap, counter);
            }
        }

        return editor.GetChangedDocument();
    }

    private sealed class Plan
    {
        private Plan(StatementSyntax loop, BlockSyntax body, IReadOnlyList<CatchClauseSyntax> catches, IfStatementSyntax? exit)
        {
            Loop = loop;
            Body = body;
            Catches = catches;
            Exit = exit;
        }

        public StatementSyntax Loop { get; }

        private BlockSyntax Body { get; }

        private IReadOnlyList<CatchClauseSyntax> Catches { get; }

        private IfStatementSyntax? Exit { get; }

        public static Plan? For(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, false, true);
            var loop = node.FirstAncestorOrSelf<StatementSyntax>(s => s is WhileStatementSyntax or ForStatementSyntax or DoStatementSyntax);
            BlockSyntax? body = loop switch
            {
                WhileStatementSyntax { Condition: LiteralExpressionSyntax { RawKind: (int)SyntaxKind.TrueLiteralExpression }, Statement: BlockSyntax b } => b,
                ForStatementSyntax { Declaration: null, Initializers.Count: 0, Condition: null, Incrementors.Count: 0, Statement: BlockSyntax b } => b,
                DoStatementSyntax { Condition: LiteralExpressionSyntax { RawKind: (int)SyntaxKind.TrueLiteralExpression }, Statement: BlockSyntax b } => b,
                _ => null,
            };
            if (loop is null || body is null || loop.SpanStart != diagnostic.Location.SourceSpan.Start ||
                loop.Parent is not BlockSyntax || body.Statements.Count == 0 || Continues(body, loop) is not { } continues)
            {
                return null;
            }

            if (continues.Count > 0)
            {
                return ContinuingCatches(body, loop, continues, model) is { } continuing ? new Plan(loop, body, continuing, exit: null) : null;
            }

            // Exception retries: the body ends in a try that leaves the loop on success; its catches loop back.
            if (body.Statements.Last() is TryStatementSyntax attempt && !SyntaxFlow.EndReachable(model, attempt.Block))
            {
                var looping = attempt.Catches.Where(c => SyntaxFlow.EndReachable(model, c.Block)).ToList();
                return looping.Count > 0 ? new Plan(loop, body, looping, exit: null) : null;
            }

            // Status retries: one exit if that returns (others may only throw), and the end of the body loops back.
            var exits = body.Statements.OfType<IfStatementSyntax>()
                .Where(s => s.Else is null && !SyntaxFlow.EndReachable(model, s.Statement) && s.Statement.DescendantNodesAndSelf().Any(n => n is ReturnStatementSyntax))
                .ToList();
            if (exits.Count != 1 || !SyntaxFlow.EndReachable(model, body) || !SurfacesFailure(exits[0].Statement, model, cancellationToken))
            {
                return null;
            }

            return new Plan(loop, body, System.Array.Empty<CatchClauseSyntax>(), exits[0]);
        }

        public void Apply(SyntaxEditor editor, string cap, string counter)
        {
            var capCheck = SyntaxFactory.ParseExpression(Exit is null ? $"{counter} < {cap}" : $"{counter} >= {cap}");
            foreach (var clause in Catches)
            {
                // From the current node: a nested retry's edit inside the catch (same Fix All batch) is kept.
                editor.ReplaceNode(clause, (current, _) => Filtered((CatchClauseSyntax)current, capCheck).WithAdditionalAnnotations(Formatter.Annotation));
            }

            if (Exit is { } exit)
            {
                var condition = SyntaxFactory.BinaryExpression(
                    SyntaxKind.LogicalOrExpression,
                    SyntaxFactory.ParenthesizedExpression(exit.Condition.WithoutTrivia()).WithAdditionalAnnotations(Simplifier.Annotation),
                    capCheck).WithAdditionalAnnotations(Formatter.Annotation);
                editor.ReplaceNode(exit.Condition, condition.WithTriviaFrom(exit.Condition));
            }

            var indentation = SyntaxFactory.TriviaList(Loop.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
            // The loop's comments and blank lines go above the constant, which belongs to the loop.
            var constant = SyntaxFactory.ParseStatement($"const int {cap} = {DefaultMaxAttempts};")
                .WithLeadingTrivia(Loop.GetLeadingTrivia())
                .WithTrailingTrivia(LocalNames.Newline(Loop));
            editor.InsertBefore(Loop, constant);

            // for (int attempt = 1; ; attempt++) with the loop's own trivia and body.
            var header = (ForStatementSyntax)SyntaxFactory.ParseStatement($"for (int {counter} = 1; ; {counter}++) {{ }}");
            var closeParen = Loop switch
            {
                WhileStatementSyntax w => w.CloseParenToken,
                DoStatementSyntax d => d.DoKeyword,
                _ => ((ForStatementSyntax)Loop).CloseParenToken,
            };
            editor.ReplaceNode(Loop, (current, _) =>
            {
                var currentBody = current switch
                {
                    WhileStatementSyntax whileLoop => whileLoop.Statement,
                    ForStatementSyntax forLoop => forLoop.Statement,
                    // `} while (true);` goes: the block's closing brace ends the statement.
                    DoStatementSyntax doLoop => doLoop.Statement.WithoutTrailingTrivia(),
                    _ => Body,
                };

                // A do loop's tail keeps its comments after the brace; its line ends as the `;` ended it.
                var trailing = current is DoStatementSyntax tail
                    ? CommentsOf(tail, indentation).AddRange(tail.SemicolonToken.TrailingTrivia.Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)))
                    : current.GetTrailingTrivia();
                return header
                    .WithCloseParenToken(header.CloseParenToken.WithTrailingTrivia(closeParen.TrailingTrivia))
                    .WithStatement(currentBody)
                    .WithLeadingTrivia(indentation)
                    .WithTrailingTrivia(trailing);
            });
        }

        /// <summary>
        /// The comments of a <c>do</c> loop's tail (<c>} /* why */ while (true); // note</c>), to follow the body's
        /// closing brace: the first on the brace's line, each further one on a line of its own.
        /// </summary>
        private static SyntaxTriviaList CommentsOf(DoStatementSyntax loop, SyntaxTriviaList indentation)
        {
            var tail = loop.Statement.GetTrailingTrivia()
                .Concat(loop.WhileKeyword.LeadingTrivia).Concat(loop.WhileKeyword.TrailingTrivia)
                .Concat(loop.OpenParenToken.LeadingTrivia).Concat(loop.OpenParenToken.TrailingTrivia)
                .Concat(loop.Condition.GetLeadingTrivia()).Concat(loop.Condition.GetTrailingTrivia())
                .Concat(loop.CloseParenToken.LeadingTrivia).Concat(loop.CloseParenToken.TrailingTrivia)
                .Concat(loop.SemicolonToken.LeadingTrivia).Concat(loop.SemicolonToken.TrailingTrivia)
                .Where(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));
            var kept = new List<SyntaxTrivia>();
            foreach (var comment in tail)
            {
                if (kept.Count == 0)
                {
                    kept.Add(SyntaxFactory.Space);
                }
                else
                {
                    kept.Add(LocalNames.Newline(loop));
                    kept.AddRange(indentation);
                }

                kept.Add(comment);
            }

            return SyntaxFactory.TriviaList(kept);
        }

        /// <summary>The catch with <paramref name="capCheck"/> added to its filter (<c>(filter) &amp;&amp; cap</c>).</summary>
        public static CatchClauseSyntax Filtered(CatchClauseSyntax clause, ExpressionSyntax capCheck)
        {
            var filter = clause.Filter is { } existing
                ? existing.WithFilterExpression(SyntaxFactory.BinaryExpression(
                    SyntaxKind.LogicalAndExpression,
                    SyntaxFactory.ParenthesizedExpression(existing.FilterExpression.WithoutTrivia()).WithAdditionalAnnotations(Simplifier.Annotation),
                    capCheck))
                : SyntaxFactory.CatchFilterClause(capCheck);
            return clause.Filter is null && clause.Declaration is { } declaration
                ? clause.WithDeclaration(declaration.WithoutTrailingTrivia())
                    .WithFilter(filter.WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(declaration.GetTrailingTrivia()))
                : clause.WithFilter(filter);
        }

        /// <summary>The continues of this loop in its body; null when a goto could jump back where the cap would not see.</summary>
        private static List<ContinueStatementSyntax>? Continues(BlockSyntax body, StatementSyntax loop)
        {
            var continues = new List<ContinueStatementSyntax>();
            foreach (var node in body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            {
                if (node is GotoStatementSyntax)
                {
                    return null;
                }

                if (node is ContinueStatementSyntax jump &&
                    jump.Ancestors().FirstOrDefault(a => a is WhileStatementSyntax or ForStatementSyntax or ForEachStatementSyntax or DoStatementSyntax) == loop)
                {
                    continues.Add(jump);
                }
            }

            return continues;
        }

        /// <summary>
        /// <c>try { text = await ...; } catch (...) { ...; continue; } break;</c>: every continue of the loop ends a catch
        /// of one try of the body, and on success what follows that try leaves the loop for sure. Those catches are
        /// the retries that get the cap; a catch that falls through leaves with the success path. Null for any other
        /// shape.
        /// </summary>
        private static List<CatchClauseSyntax>? ContinuingCatches(BlockSyntax body, StatementSyntax loop, List<ContinueStatementSyntax> continues, SemanticModel model)
        {
            var catches = new List<CatchClauseSyntax>();
            foreach (var jump in continues)
            {
                if (jump.Parent is not BlockSyntax { Parent: CatchClauseSyntax clause } block || block.Statements.Last() != jump ||
                    clause.Parent is not TryStatementSyntax { Parent: BlockSyntax owner } attempt || owner != body ||
                    (catches.Count > 0 && catches[0].Parent != attempt))
                {
                    return null;
                }

                if (!catches.Contains(clause))
                {
                    catches.Add(clause);
                }
            }

            var tryStatement = (TryStatementSyntax)catches[0].Parent!;
            var after = body.Statements.Skip(body.Statements.IndexOf(tryStatement) + 1);
            if (!after.Any(statement => !SyntaxFlow.EndReachable(model, statement)))
            {
                // Nothing after the try leaves: the try itself must leave on success, and a catch that falls through
                // goes round too.
                if (SyntaxFlow.EndReachable(model, tryStatement.Block))
                {
                    return null;
                }

                catches.AddRange(tryStatement.Catches.Where(c => !catches.Contains(c) && SyntaxFlow.EndReachable(model, c.Block)));
            }
            else
            {
                // A statement after the try leaves. Once the cap's filter turns a continuing catch down, C# offers the
                // exception to the catches below it: one that falls through would swallow the last failure and leave
                // the loop as if it had succeeded. No fix then.
                foreach (var continuing in catches)
                {
                    var later = tryStatement.Catches.Skip(tryStatement.Catches.IndexOf(continuing) + 1);
                    if (later.Any(c => !catches.Contains(c) && SyntaxFlow.EndReachable(model, c.Block) && MayCatchTheSame(c, continuing, model)))
                    {
                        return null;
                    }
                }
            }

            return catches;
        }

        /// <summary>Whether an exception <paramref name="first"/> turns down may be caught by <paramref name="later"/>: their types are related (or unknown).</summary>
        private static bool MayCatchTheSame(CatchClauseSyntax later, CatchClauseSyntax first, SemanticModel model)
        {
            if (later.Declaration is null || first.Declaration is null ||
                model.GetTypeInfo(later.Declaration.Type).Type is not INamedTypeSymbol laterType ||
                model.GetTypeInfo(first.Declaration.Type).Type is not INamedTypeSymbol firstType)
            {
                return true;
            }

            return Analyzers.Model.KnownSymbols.IsOrDerives(laterType, firstType) || Analyzers.Model.KnownSymbols.IsOrDerives(firstType, laterType);
        }

        /// <summary>
        /// The exit hands a failed response to the caller honestly: it returns the response itself, or calls
        /// <c>EnsureSuccessStatusCode()</c> before it returns anything else.
        /// </summary>
        private static bool SurfacesFailure(StatementSyntax exit, SemanticModel model, CancellationToken cancellationToken)
        {
            var statements = exit is BlockSyntax block ? block.Statements.ToList() : new List<StatementSyntax> { exit };
            foreach (var statement in statements)
            {
                if (statement is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call } &&
                    model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { Name: "EnsureSuccessStatusCode" } method &&
                    method.ContainingType?.ToDisplayString() == "System.Net.Http.HttpResponseMessage")
                {
                    return true;
                }

                if (statement is ReturnStatementSyntax { Expression: { } returned })
                {
                    return model.GetTypeInfo(returned, cancellationToken).Type?.ToDisplayString() is "System.Net.Http.HttpResponseMessage" &&
                           returned is IdentifierNameSyntax && HoldsAResponse(returned, model, cancellationToken);
                }

                if (statement.DescendantNodes().Any(n => n is ReturnStatementSyntax or ThrowStatementSyntax))
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>
        /// The returned local is declared with a received response outside any <c>try</c>: on the last attempt it holds
        /// the failed response, never null (a local set inside a try may be null when the call threw and was caught).
        /// </summary>
        private static bool HoldsAResponse(ExpressionSyntax returned, SemanticModel model, CancellationToken cancellationToken) =>
            model.GetSymbolInfo(returned, cancellationToken).Symbol is ILocalSymbol { DeclaringSyntaxReferences.Length: 1 } local &&
            local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: var value } declarator &&
            !SyntaxFlow.IsNullLiteral(value) &&
            !declarator.Ancestors().TakeWhile(a => a is not MemberDeclarationSyntax).Any(a => a is TryStatementSyntax) &&
            !LocalNames.MemberOf(returned).DescendantNodes().OfType<AssignmentExpressionSyntax>()
                .Any(assignment => assignment.Left is IdentifierNameSyntax target && target.Identifier.ValueText == local.Name);
    }

    /// <summary>
    /// <c>retry: try { ...return... } catch (...) { ...; goto retry; }</c>: the label is on a <c>try</c> whose block
    /// leaves on success, and every jump to the label is the last statement of one of its catches.
    /// </summary>
    private sealed class GotoPlan
    {
        private GotoPlan(LabeledStatementSyntax labeled, IReadOnlyList<CatchClauseSyntax> catches)
        {
            Labeled = labeled;
            Catches = catches;
        }

        public LabeledStatementSyntax Labeled { get; }

        private IReadOnlyList<CatchClauseSyntax> Catches { get; }

        public static GotoPlan? For(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, false, true).FirstAncestorOrSelf<GotoStatementSyntax>() is not
                { RawKind: (int)SyntaxKind.GotoStatement, Expression: IdentifierNameSyntax target } jump ||
                jump.SpanStart != diagnostic.Location.SourceSpan.Start)
            {
                return null;
            }

            var labeled = jump.Ancestors().OfType<LabeledStatementSyntax>().FirstOrDefault(l => l.Identifier.ValueText == target.Identifier.ValueText);
            if (labeled is not { Statement: TryStatementSyntax { Finally: null } attempt, Parent: BlockSyntax } ||
                !attempt.Block.Statements.Any() || SyntaxFlow.EndReachable(model, attempt.Block))
            {
                return null;
            }

            // Every jump to the label ends a catch of the try; nothing else jumps back.
            var function = (SyntaxNode?)labeled.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)
                ?? root;
            var jumps = function.DescendantNodes().OfType<GotoStatementSyntax>()
                .Where(g => g.Expression is IdentifierNameSyntax name && name.Identifier.ValueText == target.Identifier.ValueText)
                .ToList();
            var catches = new List<CatchClauseSyntax>();
            foreach (var back in jumps)
            {
                if (back.Parent is not BlockSyntax { Parent: CatchClauseSyntax clause } block || block.Statements.Last() != back ||
                    clause.Parent != attempt || catches.Contains(clause))
                {
                    return null;
                }

                catches.Add(clause);
            }

            return catches.Count > 0 ? new GotoPlan(labeled, catches) : null;
        }

        public void Apply(SyntaxEditor editor, string cap, string counter)
        {
            var capCheck = SyntaxFactory.ParseExpression($"{counter} < {cap}");
            foreach (var clause in Catches)
            {
                editor.ReplaceNode(clause, (current, _) =>
                {
                    var block = ((CatchClauseSyntax)current).Block;
                    var jump = block.Statements.Last();
                    var count = SyntaxFactory.ParseStatement($"{counter}++;")
                        .WithLeadingTrivia(jump.GetLeadingTrivia())
                        .WithTrailingTrivia(LocalNames.Newline(clause));
                    var counted = block.WithStatements(block.Statements.Insert(block.Statements.Count - 1, count));
                    return Plan.Filtered((CatchClauseSyntax)current, capCheck).WithBlock(counted).WithAdditionalAnnotations(Formatter.Annotation);
                });
            }

            var statementIndentation = SyntaxFactory.TriviaList(Labeled.Statement.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
            var newline = LocalNames.Newline(Labeled);
            editor.InsertBefore(Labeled, new[]
            {
                SyntaxFactory.ParseStatement($"const int {cap} = {DefaultMaxAttempts};").WithLeadingTrivia(statementIndentation).WithTrailingTrivia(newline),
                SyntaxFactory.ParseStatement($"int {counter} = 1;").WithLeadingTrivia(statementIndentation).WithTrailingTrivia(newline),
            });
        }
    }
}
