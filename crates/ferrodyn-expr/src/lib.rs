//! DynamoDB's expression language: lexer, parser, resolver, evaluator.
//!
//! Under construction; see the expressions issue.
