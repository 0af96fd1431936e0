//! Division files: a bad row is refused naming its row and column; the tree is scoped.

use crate::common::{SANHE, SHANGPAI, SHANGPAI_VILLAGE, caller, demo};
use hearth_app::AppError;
use hearth_app::areas::parse_divisions;
use hearth_app::demo::FEIXI_DIVISIONS;
use hearth_store::testing::{TestDb, each_backend};

#[test]
fn the_feixi_file_parses() {
    let areas = parse_divisions(FEIXI_DIVISIONS).unwrap();
    assert_eq!(
        areas
            .iter()
            .filter(|a| a.level == hearth_core::AreaLevel::Town)
            .count(),
        14
    );
}

fn errors(text: &str) -> Vec<(String, &'static str)> {
    match parse_divisions(text) {
        Err(AppError::Invalid(errors)) => errors
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect(),
        other => panic!("expected the file to be refused: {other:?}"),
    }
}

#[test]
fn a_bad_row_is_named_by_row_number_and_column() {
    let file = "\u{feff}code,name,level,parent,note\n\
                340123000000,肥西县,county,,\n\
                340123100000,,town,340123000000,\n\
                3401231X0000,上派镇,town,340123000000,\n\
                340123101000,三河镇,hamlet,340123000000,\n\
                340123103000,官亭镇,town,34012,\n\
                340123105000,山南镇,village,340123000000,\n";
    assert_eq!(
        errors(file),
        [
            ("row 3.name".to_owned(), "field.required"),
            ("row 4.code".to_owned(), "area.code"),
            ("row 5.level".to_owned(), "area.unknown_level"),
            ("row 6.parent".to_owned(), "area.code"),
            ("row 7.level".to_owned(), "area.level_mismatch"),
        ]
    );
    // A good file with the same header is taken whole.
    let good = "code,name,level,parent,note\n340123000000,肥西县,county,,\n340123100000,上派镇,town,340123000000,县城\n";
    let areas = parse_divisions(good).unwrap();
    assert_eq!(areas.len(), 2);
    assert_eq!(areas[1].note, "县城");
}

#[tokio::test]
async fn officers_see_their_own_branch_of_the_tree() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let codes = |areas: Vec<hearth_store::areas::Area>| -> Vec<String> {
            areas
                .into_iter()
                .map(|a| a.code.as_str().to_owned())
                .collect()
        };
        let county = codes(app.areas(&caller(&app, "county").await).await.unwrap());
        assert!(county.iter().any(|c| c == SANHE) && county.iter().any(|c| c == SHANGPAI_VILLAGE));
        let town = codes(app.areas(&caller(&app, "town").await).await.unwrap());
        assert!(town.iter().any(|c| c == SHANGPAI) && town.iter().any(|c| c == SHANGPAI_VILLAGE));
        assert!(
            town.iter().any(|c| c == "340123000000"),
            "its ancestors, for the root"
        );
        assert!(
            !town
                .iter()
                .any(|c| c == SANHE || c.starts_with("340123101")),
            "{town:?}"
        );
    })
    .await;
}
